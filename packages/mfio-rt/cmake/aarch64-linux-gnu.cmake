# Cross-compiling the addon for linux-arm64 (glibc) from Linux with Debian's g++-aarch64-linux-gnu
# (scripts/prebuild.mjs passes this as CMAKE_TOOLCHAIN_FILE).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(TOOLCHAIN_PREFIX aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${TOOLCHAIN_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${TOOLCHAIN_PREFIX}-g++)
set(CMAKE_FIND_ROOT_PATH /usr/${TOOLCHAIN_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
# uv.h comes from the host's Node headers (the same for every 64-bit Linux).
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
