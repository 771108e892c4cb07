"""nbconvert's ExecutePreprocessor, patient with kernels that report "idle" too early.

Deno's Jupyter kernel (2.x) sometimes publishes a cell's status "idle" before the cell's last
display_data, execute_result or stream messages. nbconvert ends a cell at "idle", so those
outputs are dropped (about one run in three for a short cell, seen with Deno 2.9.6 and
nbclient 0.7.2). This preprocessor keeps collecting the cell's messages until none has come
for `grace` seconds. Front ends such as JupyterLab are unaffected: they attach late outputs
by their parent message.

Used by test/jupyter.ts as
  jupyter nbconvert --to notebook \
    --NotebookExporter.preprocessors="['grace_execute.GraceExecutePreprocessor']" \
    --GraceExecutePreprocessor.enabled=True ...
with this directory on PYTHONPATH.
"""
from queue import Empty

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float


class GraceExecutePreprocessor(ExecutePreprocessor):
    grace = Float(0.5, help="Seconds without a message, after 'idle', that end a cell.").tag(
        config=True
    )

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.grace))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass
