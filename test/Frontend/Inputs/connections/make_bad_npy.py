# Writes the malformed .npy files of connection-files-npy.test into the
# current directory.
import numpy as np

np.save("shape.npy", np.array([0, 1, 2]))
np.save("float.npy", np.array([[0.0, 1.0]]))
np.save("range.npy", np.array([[0, 1], [1, 4]], dtype=np.int32))
np.save("twice.npy", np.array([[0, 1], [1, 2], [0, 1]]))
np.save("fortran.npy", np.asfortranarray(np.array([[0, 1], [1, 2], [2, 3]])))
np.save("big.npy", np.array([[0, 1]], dtype=">i4"))
np.save("struct.npy", np.zeros(2, dtype=[("pre", "<i4"), ("post", "<i4")]))
good = open("range.npy", "rb").read()
open("trunc.npy", "wb").write(good[:-3])
open("trailing.npy", "wb").write(good + b"\0\0")
open("text.npy", "w").write("pre,post\n0,1\n")
