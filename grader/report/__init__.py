"""Stage 9: render a Report as text, Markdown (Jupyter), JSON, Gradescope or JUnit."""
