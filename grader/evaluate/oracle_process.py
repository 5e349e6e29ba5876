"""torch in a separate trusted process, so importing it overlaps the rest of the grading.

``import torch`` takes longer than grading a correct engine. The oracle process starts first
and imports it while the grader loads the submission, starts the sandbox and draws graphs;
requests queue up in its pipe and are answered in order. Both ends are the grader's own
code, so the pipe carries pickles (the untrusted child never speaks to this process).
A request that raises is answered with an ``OracleFailure``: the process lives on, and the
caller gets an ``OracleError`` for that request alone.
"""

from __future__ import annotations

import importlib
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any, Callable, Optional, Union, cast

from grader.graph import Graph

Expected = tuple[Any, Any]  # (values, grads), numpy arrays of shape (n_nodes, n_lanes)
_HEADER = struct.Struct("!Q")
FAILURE_CHARS = 500  # of the exception message carried back


class OracleError(RuntimeError):
    """torch could not answer one request (a shape error, a malformed network, ...)."""


@dataclass(frozen=True)
class OracleFailure:
    """The answer to a request that raised in the oracle process."""

    message: str


class LocalOracle:
    """torch in this process (for ``check(Value)`` in a notebook)."""

    def __init__(self) -> None:
        self._cache: dict[Graph, Expected] = {}

    def prefetch(self, graphs: list[Graph]) -> None:
        from grader.evaluate import oracle

        for graph in graphs:
            if graph not in self._cache:
                self._cache[graph] = oracle.expected(graph)

    def expected(self, graph: Graph) -> Expected:
        from grader.evaluate import oracle

        found = self._cache.get(graph)
        return found if found is not None else oracle.expected(graph)

    def close(self) -> None:
        self._cache.clear()


class OracleProcess:
    """torch in a child process of ours; a reader thread collects its answers by graph.

    The thread keeps the answer pipe drained, so queuing many requests cannot deadlock.
    """

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.evaluate.oracle_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._sent: deque[Union[list[Graph], _Call]] = deque()
        self._cache: dict[Graph, Union[Expected, OracleFailure]] = {}
        self._queued: set[Graph] = set()  # sent, not answered yet
        self._ready = threading.Condition()
        self._stopped = False
        self._outbox: queue.SimpleQueue[Union[list[Graph], _Call, None]] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        self._writer = threading.Thread(target=self._write_requests, daemon=True)
        self._reader.start()
        self._writer.start()

    def prefetch(self, graphs: list[Graph]) -> None:
        """Queue graphs now, without waiting (the process reads nothing until torch is in);
        their answers arrive in the background. Graphs answered or queued already are not
        sent again."""
        with self._ready:
            fresh = (g for g in dict.fromkeys(graphs) if g not in self._cache)
            graphs = [g for g in fresh if g not in self._queued]
            if graphs:
                self._sent.append(graphs)
                self._queued.update(graphs)
        if graphs:
            self._outbox.put(graphs)

    def call(self, target: str, *args: Any) -> Any:
        """Run ``module:function(*args)`` in the oracle process (torch work of other stages)."""
        slot = _Call(target, args)
        with self._ready:
            self._sent.append(slot)
        self._outbox.put(slot)
        with self._ready:
            self._ready.wait_for(lambda: slot.done or self._stopped)
        if not slot.done:
            raise RuntimeError("the torch oracle process stopped unexpectedly")
        if isinstance(slot.result, OracleFailure):
            raise OracleError(slot.result.message)
        return slot.result

    def expected(self, graph: Graph) -> Expected:
        if graph not in self._cache:
            self.prefetch([graph])
        with self._ready:
            self._ready.wait_for(lambda: graph in self._cache or self._stopped)
            if graph not in self._cache:
                raise RuntimeError("the torch oracle process stopped unexpectedly")
            found = self._cache[graph]
        if isinstance(found, OracleFailure):
            raise OracleError(found.message)
        return found

    @property
    def alive(self) -> bool:
        """Whether the process still answers (a batch replaces one that died)."""
        with self._ready:
            return not self._stopped

    def close(self) -> None:
        """Stop the process at once: it holds nothing worth a clean shutdown of torch."""
        self._outbox.put(None)
        self._proc.kill()
        self._proc.wait()
        self._reader.join(timeout=5)
        self._writer.join(timeout=5)
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()

    def _write_requests(self) -> None:
        assert self._proc.stdin is not None
        while (request := self._outbox.get()) is not None:
            message = (request.target, request.args) if isinstance(request, _Call) else request
            try:
                _send(self._proc.stdin, message)
            except (BrokenPipeError, ValueError):  # the process is gone; the reader says so
                return

    def _read_answers(self) -> None:
        assert self._proc.stdout is not None
        while (answers := _read(self._proc.stdout)) is not None:
            with self._ready:
                request = self._sent.popleft()
                if isinstance(request, _Call):
                    request.result, request.done = answers, True
                else:
                    self._cache.update(zip(request, answers))
                    self._queued.difference_update(request)
                self._ready.notify_all()
        with self._ready:
            self._stopped = True
            self._ready.notify_all()


@dataclass
class _Call:
    """A request to run a function in the oracle process, and its answer."""

    target: str
    args: tuple[Any, ...]
    done: bool = False
    result: Any = None


_current: ContextVar[Optional[OracleProcess]] = ContextVar("oracle", default=None)


@contextmanager
def serving(oracle: OracleProcess) -> Iterator[None]:
    """Within this block, ``in_oracle`` runs torch work in ``oracle``."""
    token = _current.set(oracle)
    try:
        yield
    finally:
        _current.reset(token)


def in_oracle(target: str, *args: Any) -> Any:
    """Call ``module:function(*args)``, in the oracle process when a grade has one (so this
    process never imports torch), else here."""
    oracle = _current.get()
    if oracle is not None:
        return oracle.call(target, *args)
    return _resolve(target)(*args)


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return cast(Callable[..., Any], getattr(importlib.import_module(module), name))


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
    """The oracle process: answer each batch of graphs with their (values, grads), each call
    with its result; a request that raises gets an OracleFailure and the next one is served."""
    from grader.evaluate import oracle

    while (request := _read(requests)) is not None:
        if isinstance(request, tuple):  # (target, args): a call
            target, args = request
            _reply(answers, _safely(_run, target, args))
        else:
            _reply(answers, [_safely(oracle.expected, graph) for graph in request])


def _run(target: str, args: tuple[Any, ...]) -> Any:
    return _resolve(target)(*args)


def _reply(answers: IO[bytes], answer: Any) -> None:
    """Send ``answer``; one that cannot be pickled becomes an OracleFailure."""
    try:
        blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001
        blob = pickle.dumps(OracleFailure(f"the answer could not be sent: {error}"[:FAILURE_CHARS]))
    answers.write(_HEADER.pack(len(blob)) + blob)
    answers.flush()


def _safely(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, or an OracleFailure saying why it raised."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - one bad request must not end the process
        return OracleFailure(f"{type(error).__name__}: {str(error)[:FAILURE_CHARS]}")


if __name__ == "__main__":  # network requests: serve from the module proper, so that an
    # OracleFailure pickles as grader.evaluate.oracle_process's (not __main__'s) and the
    # parent can read it (tests/mlp/test_oracle_requests.py)
    importlib.import_module("grader.evaluate.oracle_process").serve(
        sys.stdin.buffer, sys.stdout.buffer)
