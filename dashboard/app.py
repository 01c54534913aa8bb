"""Activity Lab's dashboard: `streamlit run dashboard/app.py` (dashboard/README.md).

Three pages: live (/, the speed layer in HBase, live.py), history (/history, the batch layer's daily tables in
Hive, history.py) and cluster (/cluster, the services and the pipeline's flow from Prometheus, cluster.py).
"""

import streamlit as st

st.set_page_config(page_title="Activity Lab", page_icon="📈", layout="wide")
st.navigation(
    [
        st.Page("live.py", title="Live", icon=":material/monitoring:", default=True),
        st.Page("history.py", title="History", icon=":material/calendar_month:", url_path="history"),
        st.Page("cluster.py", title="Cluster", icon=":material/hub:", url_path="cluster"),
    ]
).run()
