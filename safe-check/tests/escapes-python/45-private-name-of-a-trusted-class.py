# expect: run namespace: no object it hands out may keep anything to protect under a `_` name, mangled or not
# A program class named after a trusted class reaches that class's mangled private
# attributes (`self.__map` in `class OrderedDict` is `od._OrderedDict__map`), as `od._x`
# reaches its single-underscore ones under both profiles. The checker cannot know which
# class an object is: the API's classes are frozen native types with no instance dictionary,
# and module proxies and exported classes must keep nothing to protect under `_` names.
class OrderedDict:
    def peek(self, other):
        return other.__map
    def replace(self, other, value):
        other.__root = value
        del other.__hardroot
def probe(handle):
    return OrderedDict().peek(handle), handle._lock
