#! restrictions = "restrictions.default"
#! stdout = "1000 ok\n1600 ok\n9216 ok\n9217 refused\n10000 refused\n65507 refused\n65508 refused\n65535 refused\n65536 refused\n100000 refused\n"
# Upstream: ut_repyv2api_udp_test_datagram_sizes, which sent from getmyip() between the
# first two messports; here on loopback between ports 63163 and 63164. RepyV2 caps a
# datagram at 9216 bytes on every platform (the macOS limit, issue #113): up to that,
# sendmessage sends everything; above it, it raises RepyArgumentError.
for length in [1000, 1600, 9216, 9217, 10000, 65507, 65508, 65535, 65536, 100000]:
    try:
        sent = sendmessage("127.0.0.1", 63163, "." * length, "127.0.0.1", 63164)
    except RepyArgumentError:
        log(length, "refused\n")
    else:
        if sent == length:
            log(length, "ok\n")
        else:
            log(length, "sent only", sent, "\n")
