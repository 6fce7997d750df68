#! restrictions = "restrictions.default"
#! stdout = "done\n"
#! absent-files = ["trying.to.create.this.file", "random.files.to.create.number1"]
# Upstream: ut_repyv2api_openfileconsumesfilehandles. With every filesopened item in use,
# openfile(create=True) raises ResourceExhaustedError and creates nothing.
handles = []
names = []
for number in range(getresources()[0]["filesopened"]):
    name = "random.files.to.create.number" + str(number + 1)
    names.append(name)
    handles.append(openfile(name, True))

EXTRA = "trying.to.create.this.file"
try:
    extra = openfile(EXTRA, True)
except ResourceExhaustedError:
    pass
else:
    log("a file was opened with no handle left\n")
    extra.close()
if EXTRA in listfiles():
    log("the file was created although no handle was left\n")
    removefile(EXTRA)

for handle in handles:
    handle.close()
for name in names:
    removefile(name)
log("done\n")
