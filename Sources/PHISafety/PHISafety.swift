// PHISafety: see PHISafety.docc (being written).
