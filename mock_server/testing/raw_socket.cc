// RawSocket over POSIX sockets; poll() bounds every read so a test cannot hang.
#include "testing/raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace live::testing {

RawSocket::RawSocket(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect() failed");
  }
  int on = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

RawSocket::~RawSocket() { close(); }

void RawSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawSocket::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto written = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (written <= 0) throw std::runtime_error("send() failed");
    sent += static_cast<std::size_t>(written);
  }
}

std::string RawSocket::readAll(int timeout_ms) {
  std::string received;
  char buffer[4096];
  for (;;) {
    pollfd descriptor{fd_, POLLIN, 0};
    if (::poll(&descriptor, 1, timeout_ms) <= 0) break;
    const auto count = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (count < 0 && errno == ECONNRESET) reset_ = true;
    if (count <= 0) break;
    received.append(buffer, static_cast<std::size_t>(count));
  }
  return received;
}

bool RawSocket::readMore(std::string& into, int timeout_ms) {
  char buffer[4096];
  pollfd descriptor{fd_, POLLIN, 0};
  if (::poll(&descriptor, 1, timeout_ms) <= 0) return false;
  const auto count = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (count <= 0) return false;
  into.append(buffer, static_cast<std::size_t>(count));
  return true;
}

std::string RawSocket::readResponse(int timeout_ms) {
  for (;;) {
    const auto header_end = buffered_.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      std::size_t length = 0;
      const auto field = buffered_.find("Content-Length: ");
      if (field != std::string::npos && field < header_end) {
        length = std::stoul(buffered_.substr(field + 16));
      }
      const std::size_t total = header_end + 4 + length;
      if (buffered_.size() >= total) {
        std::string response = buffered_.substr(0, total);
        buffered_.erase(0, total);
        return response;
      }
    }
    if (!readMore(buffered_, timeout_ms)) return std::string();
  }
}

}  // namespace live::testing
