"""Execute a notebook headless (used by the test suite): python3 run_notebook.py NOTEBOOK REVIEW_DIR."""
import os
import sys

import nbformat
from nbclient import NotebookClient

notebook_path, review_dir = sys.argv[1], sys.argv[2]
os.environ["RECUR_REVIEW_DIR"] = review_dir
notebook = nbformat.read(notebook_path, as_version=4)
NotebookClient(notebook, timeout=300, kernel_name="python3",
               resources={"metadata": {"path": os.path.dirname(os.path.abspath(notebook_path))}}).execute()
print(f"executed {len(notebook.cells)} cells")
