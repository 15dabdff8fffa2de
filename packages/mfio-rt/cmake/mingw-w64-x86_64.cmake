# Cross-compiling the addon for win32-x64 from Linux with Debian's g++-mingw-w64-x86-64
# (scripts/build-win32.mjs passes this as CMAKE_TOOLCHAIN_FILE).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(TOOLCHAIN_PREFIX x86_64-w64-mingw32)
# The "posix" thread model: node-addon-api needs std::mutex, which the win32 model of GCC 12
# lacks (winpthreads is linked statically, see CMakeLists.txt).
set(CMAKE_C_COMPILER ${TOOLCHAIN_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${TOOLCHAIN_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${TOOLCHAIN_PREFIX}-windres)
set(CMAKE_DLLTOOL ${TOOLCHAIN_PREFIX}-dlltool)
set(CMAKE_FIND_ROOT_PATH /usr/${TOOLCHAIN_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
# uv/errno.h comes from the host's Node headers (its Windows numbers are selected by _WIN32).
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
