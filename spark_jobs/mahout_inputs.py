"""The day's input to the Mahout step, written by the daily ETL under HDFS_MAHOUT/dt=D/ (tab-separated text, as
mahout/recommend.py and mahout/segment.py read it; Mahout wants numeric ids, hence the numbered users and items):

    users/    user_no  app_id  user_id  events  page_views  sessions  purchases  items   (every user active that day)
    items/    item_no  app_id  page  users                                              (catalog pages anyone chose)
    ratings/  user_no,item_no,preference                                                 (Mahout's CSV)
    train/    the ratings but each evaluated user's latest choices     } the held-out split that measures the
    held_out/ user_no,item_no of those latest choices                  } recommendations (mahout/evaluate.py)

A preference is the strongest of what the user did with the item that day (names.PREFERENCE): viewed it, added it to
the cart, or bought it (added it to the cart in a session that had a purchase after that). Definitions:
docs/metrics.md. The held-out split: a user who chose at least EVALUATED_FROM items that day has the latest
HELD_OUT_SHARE of them (by the time first chosen, at least one) held out.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from activity_contract import names

EVALUATED_FROM = 5
HELD_OUT_SHARE = 0.2


def _is_item() -> F.Column:
    return F.col("page").rlike(names.RECOMMENDABLE_PAGE)


def preferences(sessions: DataFrame) -> DataFrame:
    """(app_id, user_id, page, preference, first_ts) per user and catalog item; first_ts: when first chosen."""
    purchases = (
        sessions.where(F.col("event_type") == "purchase")
        .groupBy("session_key")
        .agg(F.max("event_ts").alias("last_purchase"))
    )
    pref = names.PREFERENCE
    carted = (
        sessions.where((F.col("event_type") == "add_to_cart") & _is_item())
        .join(purchases, "session_key", "left")
        .select(
            "app_id",
            "user_id",
            "page",
            F.when(F.col("last_purchase") >= F.col("event_ts"), pref["bought"])
            .otherwise(pref["added_to_cart"])
            .alias("preference"),
            "event_ts",
        )
    )
    viewed = sessions.where((F.col("event_type") == "page_view") & _is_item()).select(
        "app_id", "user_id", "page", F.lit(pref["viewed"]).alias("preference"), "event_ts"
    )
    return (
        viewed.unionByName(carted)
        .groupBy("app_id", "user_id", "page")
        .agg(F.max("preference").alias("preference"), F.min("event_ts").alias("first_ts"))
    )


def held_out(prefs: DataFrame) -> DataFrame:
    """The preferences with `held_out`: among a user's items, if EVALUATED_FROM or more, the latest HELD_OUT_SHARE
    (rounded up) by first_ts, ties: the larger page."""
    user = Window.partitionBy("app_id", "user_id")
    latest = user.orderBy(F.desc("first_ts"), F.desc("page"))
    n = F.count(F.lit(1)).over(user)
    return prefs.withColumn(
        "held_out", (n >= EVALUATED_FROM) & (F.row_number().over(latest) <= F.ceil(n * F.lit(HELD_OUT_SHARE)))
    )


def user_features(sessions: DataFrame) -> DataFrame:
    """Every user active that day, numbered from 1 in (app_id, user_id) order, with the k-means features."""
    features = sessions.groupBy("app_id", "user_id").agg(
        F.count(F.lit(1)).alias("events"),
        F.sum((F.col("event_type") == "page_view").cast("long")).alias("page_views"),
        F.countDistinct("session_key").alias("sessions"),
        F.sum((F.col("event_type") == "purchase").cast("long")).alias("purchases"),
        F.countDistinct(F.when((F.col("event_type") == "page_view") & _is_item(), F.col("page"))).alias("items"),
    )
    return features.withColumn("user_no", F.row_number().over(Window.orderBy("app_id", "user_id"))).select(
        "user_no", "app_id", "user_id", *names.SEGMENT_FEATURES
    )


def write_mahout_inputs(sessions: DataFrame, day: str) -> dict[str, int]:
    """Writes users/, items/, ratings/, train/ and held_out/ for the day (each replaced whole); returns their row
    counts."""
    users = user_features(sessions).cache()
    prefs = held_out(preferences(sessions)).cache()
    items = (
        prefs.groupBy("app_id", "page")
        .agg(F.countDistinct("user_id").alias("users"))
        .withColumn("item_no", F.row_number().over(Window.orderBy("app_id", "page")))
        .select("item_no", "app_id", "page", "users")
    ).cache()
    numbered = (
        prefs.join(users.select("user_no", "app_id", "user_id"), ["app_id", "user_id"]).join(
            items.select("item_no", "app_id", "page"), ["app_id", "page"]
        )
    ).cache()
    ratings = numbered.select("user_no", "item_no", "preference").orderBy("user_no", "item_no")
    train = numbered.where(~F.col("held_out")).select("user_no", "item_no", "preference").orderBy("user_no", "item_no")
    held = numbered.where(F.col("held_out")).select("user_no", "item_no").orderBy("user_no", "item_no")
    base = f"{names.HDFS_MAHOUT}/dt={day}"
    counts = {}
    for name, table, sep in (
        ("users", users, "\t"),
        ("items", items, "\t"),
        ("ratings", ratings, ","),
        ("train", train, ","),
        ("held_out", held, ","),
    ):
        table.coalesce(1).write.mode("overwrite").option("sep", sep).csv(f"{base}/{name}")
        counts[name] = table.count()
    for frame in (users, prefs, items, numbered):
        frame.unpersist()
    return counts
