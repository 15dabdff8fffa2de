#include "win_errors.h"

#include <cerrno>

namespace mfio::rt::win {

int32_t UvError(DWORD error) {
  switch (error) {
    case ERROR_SUCCESS:
      return 0;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_MOD_NOT_FOUND:
    case ERROR_NOT_FOUND:  // CancelIoEx: nothing to cancel
      return UV__ENOENT;
    case ERROR_INVALID_HANDLE:
    case WSAENOTSOCK:
      return UV__EBADF;
    case ERROR_ACCESS_DENIED:
    case ERROR_CANNOT_MAKE:
    case ERROR_INVALID_ACCESS:
    case ERROR_PRIVILEGE_NOT_HELD:
      return UV__EPERM;
    case WSAEACCES:
      return UV__EACCES;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return UV__EEXIST;
    case ERROR_DIR_NOT_EMPTY:
      return UV__ENOTEMPTY;
    case ERROR_DIRECTORY:  // a directory call on a file (RemoveDirectoryW)
      return UV__ENOTDIR;
    case ERROR_INVALID_FUNCTION:  // ReadFile on a directory handle
      return UV__EISDIR;
    case ERROR_OPERATION_ABORTED:
    case WSAEINTR:
      return UV__ECANCELED;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NOT_ENOUGH_QUOTA:  // many large overlapped requests lock too much memory
    case ERROR_WORKING_SET_QUOTA:
      return UV__ENOMEM;
    case ERROR_INVALID_PARAMETER:
    case ERROR_NEGATIVE_SEEK:
    case ERROR_INVALID_FLAGS:
    case WSAEINVAL:
    case WSAEFAULT:
      return UV__EINVAL;
    case ERROR_NOT_SUPPORTED:
    case WSAEOPNOTSUPP:
      return UV__ENOTSUP;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_BUSY:
      return UV__EBUSY;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return UV__ENOSPC;
    case ERROR_FILENAME_EXCED_RANGE:
    case ERROR_BUFFER_OVERFLOW:
      return UV__ENAMETOOLONG;
    case ERROR_TOO_MANY_OPEN_FILES:
    case WSAEMFILE:
      return UV__EMFILE;
    case ERROR_NOT_SAME_DEVICE:
      return UV__EXDEV;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
    case WSAESHUTDOWN:
      return UV__EPIPE;
    case ERROR_NETNAME_DELETED:
    case WSAECONNRESET:
    case WSAENETRESET:
      return UV__ECONNRESET;
    case ERROR_CONNECTION_REFUSED:
    case WSAECONNREFUSED:
      return UV__ECONNREFUSED;
    case ERROR_CONNECTION_ABORTED:
    case ERROR_REQUEST_ABORTED:
    case WSAECONNABORTED:
      return UV__ECONNABORTED;
    case ERROR_ADDRESS_ALREADY_ASSOCIATED:
    case WSAEADDRINUSE:
      return UV__EADDRINUSE;
    case WSAEADDRNOTAVAIL:
      return UV__EADDRNOTAVAIL;
    case WSAEAFNOSUPPORT:
      return UV__EAFNOSUPPORT;
    case WSAEALREADY:
      return UV__EALREADY;
    case WSAEISCONN:
      return UV__EISCONN;
    case WSAENOTCONN:
    case ERROR_CONNECTION_INVALID:
      return UV__ENOTCONN;
    case WSAENOBUFS:
      return UV__ENOBUFS;
    case WSAEWOULDBLOCK:
    case ERROR_IO_PENDING:
      return UV__EAGAIN;
    case ERROR_SEM_TIMEOUT:
    case WSAETIMEDOUT:
      return UV__ETIMEDOUT;
    case ERROR_NETWORK_UNREACHABLE:
    case WSAENETUNREACH:
      return UV__ENETUNREACH;
    case ERROR_HOST_UNREACHABLE:
    case WSAEHOSTUNREACH:
      return UV__EHOSTUNREACH;
    case WSAEMSGSIZE:
      return UV__EMSGSIZE;
    case ERROR_CALL_NOT_IMPLEMENTED:
      return UV__ENOSYS;
    case ERROR_CANT_RESOLVE_FILENAME:
      return UV__ELOOP;
    default:
      return UV__UNKNOWN;
  }
}

int32_t UvErrorFromErrno(int negative_errno) {
  switch (-negative_errno) {
    case EFAULT:
      return UV__EFAULT;
    case EBADF:
      return UV__EBADF;
    case ENOSYS:
      return UV__ENOSYS;
    default:
      return UV__EINVAL;
  }
}

}  // namespace mfio::rt::win
