#! exit = 6
#! stderr-contains = ["Exception (with class 'repy.RepyArgumentError'): bad"]
raise RepyArgumentError("bad")
