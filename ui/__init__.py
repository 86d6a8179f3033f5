"""The Gradio chat (calls only the assistant service)."""
