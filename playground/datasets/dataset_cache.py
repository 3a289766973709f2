"""A function's results kept in memory up to a total size in bytes, the least recently used dropped first.

`functools.lru_cache` bounds the number of entries, and 32 datasets of 50 MB are 1.6 GB in every
process that loads them (the page server and each training worker). This cache bounds their bytes
instead: a result bigger than the whole bound is returned but not kept. It is thread-safe (the
pages run in threads); two threads asking for the same missing key at once may both compute it.

Example:

    cached = SizeBoundedCache(load, size_of=lambda data: data.nbytes, max_bytes=256 * 2**20)
    cached(key)            # computed, and kept if it fits
    cached(key)            # from memory
    cached.cache_clear()
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class SizeBoundedCache(Generic[Key, Value]):
    """`function(key)`, remembered while the remembered results total at most `max_bytes`.

    Args:
        function: computes the value of a key; what it raises is not remembered.
        size_of: the bytes a value holds.
        max_bytes: the most bytes kept at once (a setting of the caller); 0 keeps nothing.
    """

    def __init__(self, function: Callable[[Key], Value], size_of: Callable[[Value], int], max_bytes: int):
        functools.update_wrapper(self, function)
        self.function = function
        self.size_of = size_of
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, tuple[Value, int]] = OrderedDict()
        self._kept_bytes = 0
        self._lock = threading.Lock()

    def __call__(self, key: Key) -> Value:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
        value = self.function(key)
        size = self.size_of(value)
        with self._lock:
            if size > self.max_bytes:
                return value
            if key in self._entries:  # another thread computed it meanwhile: keep one copy
                self._kept_bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self._kept_bytes += size
            while self._kept_bytes > self.max_bytes:
                self._kept_bytes -= self._entries.popitem(last=False)[1][1]
        return value

    @property
    def kept_bytes(self) -> int:
        """The bytes the remembered results hold now."""
        return self._kept_bytes

    def __len__(self) -> int:
        return len(self._entries)

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._kept_bytes = 0
