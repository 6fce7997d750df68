# expect: R402
# Aliasing type hides the three-argument call from a call-site check.
make = type
Evil = make("Evil", (), {})
