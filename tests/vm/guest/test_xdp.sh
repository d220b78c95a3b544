#!/usr/bin/env bash
# Every path through the program (each pass reason, both families, both sections), as
# tests/test_xdp checks it on the host: BPF_PROG_TEST_RUN against this kernel's FIB.
cd /ipxr && exec tests/test_xdp
