"""Activity Lab's live Streamlit dashboard (app.py), its HBase reads and charts."""
