"""Generators: from a question, its route and the evidence the route found, to a drafted answer."""

from sikkerby.assistant.generators.base import Evidence, Generator
from sikkerby.assistant.generators.factory import GENERATORS, create_generator

__all__ = ["GENERATORS", "Evidence", "Generator", "create_generator"]
