"""torch in a separate trusted process, so importing it overlaps the rest of the grading.

``import torch`` takes longer than grading a correct engine. The oracle process starts first
and imports it while the grader loads the submission, starts the sandbox and draws graphs;
requests queue up in its pipe and are answered in order. Both ends are the grader's own
code, so the pipe carries pickles (the untrusted child never speaks to this process).
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
from collections import deque
from typing import IO, Any

from grader.graph import Graph

Expected = tuple[Any, Any]  # (values, grads), numpy arrays of shape (n_nodes, n_lanes)
_HEADER = struct.Struct("!Q")


class LocalOracle:
    """torch in this process (for ``check(Value)`` in a notebook)."""

    def __init__(self) -> None:
        self._cache: dict[Graph, Expected] = {}

    def prefetch(self, graphs: list[Graph]) -> None:
        from grader.evaluate import oracle

        for graph in graphs:
            self._cache[graph] = oracle.expected(graph)

    def expected(self, graph: Graph) -> Expected:
        from grader.evaluate import oracle

        found = self._cache.get(graph)
        return found if found is not None else oracle.expected(graph)

    def close(self) -> None:
        self._cache.clear()


class OracleProcess:
    """torch in a child process of ours; answers are cached by graph."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.evaluate.oracle_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._pending: deque[list[Graph]] = deque()
        self._cache: dict[Graph, Expected] = {}

    def prefetch(self, graphs: list[Graph]) -> None:
        """Queue graphs now; their answers are read when first needed."""
        if graphs:
            assert self._proc.stdin is not None
            _send(self._proc.stdin, graphs)
            self._pending.append(graphs)

    def expected(self, graph: Graph) -> Expected:
        while graph not in self._cache and self._pending:
            self._receive()
        if graph not in self._cache:
            self.prefetch([graph])
            self._receive()
        return self._cache[graph]

    def close(self) -> None:
        """Stop the process at once: it holds nothing worth a clean shutdown of torch."""
        self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()

    def _receive(self) -> None:
        assert self._proc.stdout is not None
        graphs = self._pending.popleft()
        answers = _read(self._proc.stdout)
        if answers is None:
            raise RuntimeError("the torch oracle process stopped unexpectedly")
        self._cache.update(zip(graphs, answers))


def _send(stream: IO[bytes], data: Any) -> None:
    blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(blob)) + blob)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The oracle process: answer each batch of graphs with their (values, grads)."""
    from grader.evaluate import oracle

    while (graphs := _read(requests)) is not None:
        _send(answers, [oracle.expected(graph) for graph in graphs])


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
