# The Django app of covet's benchmark: models mirroring the C++ ones, on the same tables.
