"""The kernel the batch runs notebooks in: local, and quiet on the terminal when nothing is wrong.

Two lines per notebook used to reach the terminal from the kernel's own log (ipykernel writes it to the
stderr it inherits), though nothing was wrong:

- ``Kernel is running over TCP without encryption`` (ipykernel's ``init_sockets``): the batch's kernels
  talk to the process that started them on the same machine, so they use ZeroMQ's IPC transport (Unix
  sockets in a temporary folder of each kernel's own, readable by this user only), which is what the
  warning itself advises. TCP stays where there are no Unix sockets (Windows).
- ``KeyboardInterrupt caught in kernel``: ``jupyter_client`` sends SIGINT to a kernel before asking it to
  shut down, and a kernel still finishing its last message (as after a failing cell, when it aborts the
  queue) logs the interrupt as an error. The batch never needs that interrupt: the shutdown request goes
  over the control channel, which a busy kernel still answers, and a kernel that does not end in time is
  killed by ``jupyter_client`` (and the worker by the batch's notebook deadline). Interrupts asked for
  otherwise (``interrupt_kernel``) still go out.

Anything else the kernel logs (a crash, a real error) still reaches stderr.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from functools import cache

#: The environment variable naming a folder for the kernels' socket folders: the batch makes one and
#: removes it when it ends, so that the sockets of a kernel whose worker was killed do not stay behind.
SOCKETS_ENV = "XXGK_KERNEL_SOCKETS"
#: The longest socket path (``…/kernel`` before its "-N"): a Unix socket's path holds 104 bytes on macOS,
#: 108 on Linux, and ZeroMQ appends "-1" … "-5".
MAX_SOCKET_PATH = 96


@cache
def manager_class() -> type:
    """``QuietKernelManager``: a local kernel over IPC, shut down without the SIGINT that precedes a shutdown
    request. Defined on first use: jupyter_client comes with the notebooks extra, and ``import xxgk.run.kernel``
    needs only the core."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    class QuietKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(
            ["tcp", "ipc"], default_value="ipc" if os.name == "posix" else "tcp", config=True
        )

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # Each kernel gets a folder of its own (mode 0700) for its connection file (jupyter_client would
            # write it to the temporary folder, where a killed kernel's stays, key and all) and its sockets
            # (jupyter_client's IPC default is "kernel-ipc" in the working folder, shared by every kernel
            # started there: two notebooks side by side would take each other's). Removed with the manager,
            # and with the batch's SOCKETS_ENV folder when the worker was killed.
            folder = tempfile.mkdtemp(prefix="k-", dir=os.environ.get(SOCKETS_ENV) or None)
            weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
            if not self.connection_file:
                self.connection_file = os.path.join(folder, "kernel.json")
            if self.transport == "ipc" and "ip" not in kwargs:
                self.ip = os.path.join(folder, "kernel")
                if len(os.fsencode(self.ip)) > MAX_SOCKET_PATH:  # a deep temporary folder: TCP after all
                    self.transport, self.ip = "tcp", "127.0.0.1"

        async def _async_interrupt_kernel(self) -> None:
            # shutdown_kernel() interrupts first (jupyter_client 8 calls this method); nothing else here does
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return QuietKernelManager


def quiet() -> dict:
    """What papermill passes on to nbclient so that the kernel is a quiet one (:func:`manager_class`)."""
    return {"kernel_manager_class": manager_class()}
