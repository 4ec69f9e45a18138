"""The web page (Gradio): layout and handlers (app), HTML rendering (render), its string table (text),
the background warm-up (warmup)."""
