"""Activity Lab's dashboard: `streamlit run dashboard/app.py` (dashboard/README.md).

Two pages: live (/, the speed layer in HBase, live.py) and history (/history, the batch layer's daily tables in
Hive, history.py).
"""

import streamlit as st

st.set_page_config(page_title="Activity Lab", page_icon="📈", layout="wide")
st.navigation(
    [
        st.Page("live.py", title="Live", icon=":material/monitoring:", default=True),
        st.Page("history.py", title="History", icon=":material/calendar_month:", url_path="history"),
    ]
).run()
