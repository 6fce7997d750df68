# expect: R203
# __class_getitem__ runs on Class[item].
class Generic:
    def __class_getitem__(cls, item):
        return item
