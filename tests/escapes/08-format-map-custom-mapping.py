# expect: R205
# format_map takes any mapping; fields still traverse attributes of the values.
class Mapping(dict):
    pass
leak = "{x.__init__.__globals__}".format_map(Mapping(x=Mapping))
