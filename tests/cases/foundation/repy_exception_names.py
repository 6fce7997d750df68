#! stdout = "True True True True\n"
# Python 3's TimeoutError, FileNotFoundError and ConnectionRefusedError are RepyV2's classes.
print(issubclass(TimeoutError, RepyException),
      issubclass(FileNotFoundError, FileError),
      issubclass(ConnectionRefusedError, NetworkError),
      issubclass(ResourceExhaustedError, ResourceUsageError))
