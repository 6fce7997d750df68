# Burns CPU until getruntime() reaches callargs[0] seconds (nanny accuracy: CPU share).
def burn(seconds):
    count = 0
    while getruntime() < seconds:
        for i in range(20000):
            count += 1
    return count


print("checksum", burn(float(callargs[0])) > 0)
