"""The published method, as the AWS China blog describes it (CUR-REFERENCE.md §1.7, §1.8).

"Analyze the billing method of reservation instance for cross-account use in AWS detailed bill":
read the detailed bill with pandas, query the frames with pandasql, and restore what each account
really pays ("whoever owns pays") from the detailed file ("whoever uses pays"):

  1. read the DBR CSV into a DataFrame (pandas defaults, as the blog does);
  2. map SubscriptionId -> the account that bought it (LinkedAccountId as OwnedAccountId) from the
     owner-side rows: EC2 rows whose ItemDescription contains 认购, and HeavyUsage rows of
     ElastiCache, Elasticsearch, RDS and Redshift;
  3. left-join the line items to that map on SubscriptionId;
  4. sum UnBlendedCost by LinkedAccountId where the subscription has no owner or is owned by the
     same account, and by OwnedAccountId where another account owns it;
  5. add the two sums per account.

pandasql is not installable here (no PyPI), so `sqldf` below does exactly what pandasql.sqldf does:
open an in-memory SQLite database, write every DataFrame the query names into it with
DataFrame.to_sql, run the query with pandas.read_sql, and close the database. Each query pays that
copy again, which is the method's cost.

usage: python3 bench/published-method.py <dbr.csv> <owner-totals.json>
Writes {account id (12 digits): owner total} as JSON. Uses Debian's python3-pandas.
"""

import json
import sqlite3
import sys

import pandas as pd


def sqldf(query, env):
    """pandasql.sqldf: copy the named frames into a fresh SQLite database and query them there."""
    conn = sqlite3.connect(":memory:")
    try:
        for name, frame in env.items():
            # pandasql writes the index only when it is named; a default RangeIndex is not.
            frame.to_sql(name, conn, index=not any(n is None for n in frame.index.names))
        return pd.read_sql(query, conn)
    finally:
        conn.close()


def main(dbr_csv, out_json):
    # Step 1: the blog reads the detailed bill with pandas defaults.
    df = pd.read_csv(dbr_csv)

    # Step 2: SubscriptionId -> owning account.
    owned = sqldf(
        """
        SELECT DISTINCT LinkedAccountId AS OwnedAccountId, SubscriptionId
        FROM df
        WHERE SubscriptionId IS NOT NULL
          AND ((ProductName = 'Amazon Elastic Compute Cloud' AND ItemDescription LIKE '%认购%')
            OR (ProductName IN ('Amazon ElastiCache', 'Amazon Elasticsearch Service',
                                'AmazonRDS', 'AmazonRedshift')
                AND UsageType LIKE '%HeavyUsage%'))
        """,
        {"df": df},
    )

    # Step 3: every row with the owner of its subscription.
    joined = sqldf(
        """
        SELECT df.*, owned.OwnedAccountId
        FROM df LEFT JOIN owned ON df.SubscriptionId = owned.SubscriptionId
        """,
        {"df": df, "owned": owned},
    )

    # Step 4: own use (or no subscription) stays; use of another account's RI goes to its owner.
    own = sqldf(
        """
        SELECT LinkedAccountId AS AccountId, SUM(UnBlendedCost) AS Cost
        FROM joined
        WHERE RecordType = 'LineItem'
          AND (OwnedAccountId IS NULL OR OwnedAccountId = LinkedAccountId)
        GROUP BY LinkedAccountId
        """,
        {"joined": joined},
    )
    others = sqldf(
        """
        SELECT OwnedAccountId AS AccountId, SUM(UnBlendedCost) AS Cost
        FROM joined
        WHERE RecordType = 'LineItem'
          AND OwnedAccountId IS NOT NULL AND OwnedAccountId <> LinkedAccountId
        GROUP BY OwnedAccountId
        """,
        {"joined": joined},
    )

    # Step 5: what each account pays.
    total = pd.concat([own, others]).groupby("AccountId", as_index=False)["Cost"].sum()

    # pandas read the ids as numbers (the empty ids of total rows make them floats): pad them back
    # to 12 digits so they can be compared with whopays' text ids.
    result = {f"{int(a):012d}": float(c) for a, c in zip(total["AccountId"], total["Cost"])}
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python3 bench/published-method.py <dbr.csv> <owner-totals.json>")
    main(sys.argv[1], sys.argv[2])
