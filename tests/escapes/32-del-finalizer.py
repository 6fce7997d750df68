# expect: R203
# Finalizers run at arbitrary times: during garbage collection inside other code, at exit.
class Bomb:
    def __del__(self):
        pass
