"""Stage 9: render a Report as text, Markdown, HTML (with pictures of the failing graphs),
JSON, Gradescope or JUnit."""
