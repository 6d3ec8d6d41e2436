// Scans this process's descriptors for the socket whose local and peer endpoints are the
// request's. Only runs when a drop fault fires, never on the normal path.
#include "http/connection_drop.h"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace live::http {
namespace {

// The numeric host and port of an endpoint, formatted as cpp-httplib formats Request addresses.
bool endpoint(const sockaddr_storage& address, socklen_t length, std::string& host, int& port) {
  char host_buffer[NI_MAXHOST];
  char port_buffer[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host_buffer,
                  sizeof(host_buffer), port_buffer, sizeof(port_buffer),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  host = host_buffer;
  port = std::atoi(port_buffer);
  return true;
}

bool carries(int fd, const httplib::Request& request) {
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) return false;
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t local_length = sizeof(local);
  socklen_t peer_length = sizeof(peer);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) return false;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return false;
  std::string local_host;
  std::string peer_host;
  int local_port = 0;
  int peer_port = 0;
  return endpoint(local, local_length, local_host, local_port) &&
         endpoint(peer, peer_length, peer_host, peer_port) && local_port == request.local_port &&
         peer_port == request.remote_port && peer_host == request.remote_addr &&
         local_host == request.local_addr;
}

}  // namespace

bool dropConnection(const httplib::Request& request) {
  DIR* descriptors = opendir("/proc/self/fd");
  if (descriptors == nullptr) return false;
  bool dropped = false;
  while (const dirent* entry = readdir(descriptors)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dirfd(descriptors) || !carries(fd, request)) continue;
    ::shutdown(fd, SHUT_RDWR);
    dropped = true;
    break;
  }
  closedir(descriptors);
  return dropped;
}

}  // namespace live::http
