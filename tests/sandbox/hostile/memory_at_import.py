# Expect: start() reports MemoryError as data, with its line.
hoard = [bytearray(2**40)]
