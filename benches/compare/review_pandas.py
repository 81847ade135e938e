"""The equivalent of `recur review`'s analysis in pandas + scikit-learn, as a notebook would do it.

python3 review_pandas.py INCIDENTS_CSV FOLLOW_UPS_CSV

Reads the generator's CSV export, parses timestamps and severities, builds TF-IDF on the weighted
text fields, reduces with TruncatedSVD (randomized), picks k by silhouette on a sample over
2..30, fits KMeans, then the trends: monthly counts per pattern, time-to-resolve median/p90 per
month, overdue follow-ups. Used only to compare run times with farm-bench.
"""
import re
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

incidents_path, follow_ups_path = sys.argv[1], sys.argv[2]
df = pd.read_csv(incidents_path, dtype=str, keep_default_na=False)
fu = pd.read_csv(follow_ups_path, dtype=str, keep_default_na=False)

for column in ["Start Time", "Resolved"]:
    df[column] = pd.to_datetime(df[column].replace("", None), utc=True, errors="coerce", format="mixed")
df["severity"] = df["Sev"].str.extract(r"(\d)").astype(float)
for column in ["Created", "Due Date", "Closed"]:
    fu[column] = pd.to_datetime(fu[column].replace("", None), dayfirst=True, utc=True, errors="coerce", format="mixed")

text = (
    (df["Root Cause"] + " ") * 3 + (df["Trigger"] + " ") * 2 + (df["Contributing Factors"] + " ") * 2
    + df["Title"] + " " + df["Summary"]
).str.lower().map(lambda s: re.sub(r"<[^>]+>", " ", s))
tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, max_df=0.5, ngram_range=(1, 2))
X = tfidf.fit_transform(text)
svd = TruncatedSVD(n_components=min(100, X.shape[1] - 1), algorithm="randomized", random_state=42)
Z = normalize(svd.fit_transform(X))

rng = np.random.default_rng(42)
sample = rng.choice(len(Z), size=min(3000, len(Z)), replace=False)
scores = {}
for k in range(2, 31):
    labels = KMeans(n_clusters=k, n_init=1, random_state=42).fit_predict(Z[sample])
    scores[k] = silhouette_score(Z[sample], labels)
best_k = max(scores, key=scores.get)
fit = rng.choice(len(Z), size=min(20000, len(Z)), replace=False)
model = KMeans(n_clusters=best_k, n_init=3, random_state=42).fit(Z[fit])
df["pattern"] = model.predict(Z)

df["month"] = df["Start Time"].dt.strftime("%Y-%m")
monthly = df.groupby(["month", "pattern"]).size().unstack(fill_value=0)
df["ttr_hours"] = (df["Resolved"] - df["Start Time"]).dt.total_seconds() / 3600
ttr = df.groupby("month")["ttr_hours"].quantile([0.5, 0.9]).unstack()
as_of = pd.Timestamp("2026-11-01", tz="UTC")
open_fu = fu[~fu["State"].str.lower().isin(["done", "closed", "won't do"])]
overdue = open_fu[open_fu["Due Date"] < as_of]
by_owner = overdue.groupby(["Assignee", "Team"]).size()
print(f"{len(df)} incidents, k={best_k}, {monthly.shape[0]} months, {len(overdue)} overdue follow-ups")
