#!/usr/bin/env python3
"""Equal semantics on Spark: the SQL `factlint sql --dialect spark --with-data`
prints, run by Spark in local mode, finds what `factlint check` finds, rule by rule
(same bindings, order and certainty), over the example and the SQL corpora. Rules
that do not compile for Spark (an `S0001`) are left out, as in every dialect.

    python3 scripts/sql-spark.py [FACTLINT]

Needs Java and the `pyspark` Python package; without either it prints SKIP with the
reason and exits 0.
"""
import importlib.util
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("sql_duckdb", os.path.join(HERE, "sql-duckdb.py"))
sql_duckdb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sql_duckdb)


# `--views` cases: CSV and TSV files read by Spark's own reader (JSON Lines is rows)
VIEW_CASES = [
    ["--rules", "tests/sql/views/views.rules", "tests/sql/views"],
    ["--rules", "tests/sql/views-plain/plain.rules", "tests/sql/views-plain"],
    ["--rules", "tests/sql/hostile-csv/hostile.rules", "tests/sql/hostile-csv"],
    ["--rules", "tests/sql/views/real/gdelt.rules", "../shared/data/real/gdelt-2.0-events-sample.csv"],
    ["--rules", "tests/sql/views/real/icews.rules", "../shared/data/real/icews-2018-06-01-sample.tab"],
]


def available():
    """Why Spark cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "Java is not installed (Debian: openjdk-17-jre-headless)"
    try:
        import pyspark  # type: ignore  # noqa: F401
    except ImportError:
        return "the pyspark Python package is not installed (pip install pyspark)"
    return None


def session():
    """A local Spark session, its warehouse folder, and a runner factory for
    `sql_duckdb.compare` that starts each case from an empty catalog."""
    from pyspark.sql import SparkSession  # type: ignore
    from pyspark.errors import PySparkException  # type: ignore
    warehouse = tempfile.mkdtemp(prefix="factlint-spark-")
    spark = (SparkSession.builder.master("local[1]").appName("factlint-sql")
             .config("spark.sql.warehouse.dir", warehouse)
             .config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")

    def runner():
        for t in spark.catalog.listTables():
            if t.isTemporary:
                spark.catalog.dropTempView(t.name)

        def run(body):
            df = spark.sql(body)
            if not body.startswith("SELECT"):
                return None
            return df.columns, [tuple(r) for r in df.collect()]

        return run, PySparkException

    return spark, warehouse, runner


def main() -> int:
    why = available()
    if why:
        print(f"SKIP sql-spark: {why}")
        return 0
    factlint = sys.argv[1] if len(sys.argv) > 1 else "target/debug/factlint"
    spark, warehouse, runner = session()
    try:
        failures = sql_duckdb.run_cases(factlint, "spark", runner)
        # the views of `--views`, over the CSV and TSV files themselves
        for case in VIEW_CASES:
            if any(not os.path.exists(a) for a in case if not a.startswith("--")):
                print(f"SKIP spark --views {' '.join(case)}: a file is absent")
                continue
            compared, differences = sql_duckdb.compare(factlint, case, quiet=True, dialect="spark",
                                                       runner=runner, data="--views")
            for d in differences:
                print(d)
            failures += len(differences) + (compared == 0)
            print(f"spark --views {' '.join(case)}: {compared} rules compared, "
                  f"{len(differences)} differ")
    finally:
        spark.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
