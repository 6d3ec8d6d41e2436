#include "http/connection_stream.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>

namespace live::http {
namespace {

void setTimeout(int sock, int option, std::chrono::seconds timeout) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count());
  ::setsockopt(sock, SOL_SOCKET, option, &value, sizeof(value));
}

// The numeric host and port, formatted as cpp-httplib formats Request addresses.
void numeric(const sockaddr_storage& address, socklen_t length, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof(host), service,
                  sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(service);
  }
}

bool waitFor(int sock, short events, int timeout_ms) {
  pollfd ready{sock, events, 0};
  int result = 0;
  do {
    result = ::poll(&ready, 1, timeout_ms);
  } while (result < 0 && errno == EINTR);
  return result > 0;
}

thread_local ConnectionStream* current_stream = nullptr;

}  // namespace

ConnectionStream* ConnectionStream::current() { return current_stream; }

ConnectionStream::Serving::Serving(ConnectionStream& stream) { current_stream = &stream; }

ConnectionStream::Serving::~Serving() { current_stream = nullptr; }

void ConnectionStream::endWith(std::string_view bytes, bool reset) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t written = send(bytes.data() + sent, bytes.size() - sent);
    if (written <= 0) break;
    sent += static_cast<std::size_t>(written);
  }
  ended_ = true;
  reset_on_close_ = reset;
}

bool ConnectionStream::holdOpen(std::chrono::milliseconds timeout, int stop_fd) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd ready[2] = {{sock_, POLLRDHUP, 0}, {stop_fd, POLLIN, 0}};
    const int result = ::poll(ready, stop_fd >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (result < 0 && errno != EINTR) return true;  // cannot watch: just wait the time out
    if (result > 0) return false;  // the peer closed (POLLRDHUP, POLLHUP, POLLERR), or stopping
  }
}

ConnectionStream::ConnectionStream(int sock, std::chrono::seconds read_timeout,
                                   std::chrono::seconds write_timeout)
    : sock_(sock),
      read_timeout_ms_(static_cast<int>(read_timeout.count() * 1000)),
      write_timeout_ms_(static_cast<int>(write_timeout.count() * 1000)) {
  setTimeout(sock, SO_RCVTIMEO, read_timeout);
  setTimeout(sock, SO_SNDTIMEO, write_timeout);
}

bool ConnectionStream::is_readable() const {
  return !ended_ && (hasBuffered() || waitFor(sock_, POLLIN, read_timeout_ms_));
}

ssize_t ConnectionStream::receive(char* into, std::size_t size) {
  ssize_t received;
  do {
    received = ::recv(sock_, into, size, 0);
  } while (received < 0 && errno == EINTR);
  return received;
}

ssize_t ConnectionStream::send(const char* from, std::size_t size) {
  ssize_t sent;
  do {
    sent = ::send(sock_, from, size, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

ssize_t TlsConnectionStream::receive(char* into, std::size_t size) {
  const int count = static_cast<int>(std::min<std::size_t>(size, 1 << 30));
  const int received = SSL_read(ssl_, into, count);
  if (received > 0) return received;
  return SSL_get_error(ssl_, received) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

ssize_t TlsConnectionStream::send(const char* from, std::size_t size) {
  const int count = static_cast<int>(std::min<std::size_t>(size, 1 << 30));
  const int sent = SSL_write(ssl_, from, count);
  return sent > 0 ? sent : -1;
}

bool ConnectionStream::is_writable() const { return waitFor(sock_, POLLOUT, write_timeout_ms_); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (ended_) return -1;
  if (begin_ == end_) {
    if (size >= buffer_.size()) return receive(ptr, size);  // a large read goes straight through
    const ssize_t received = receive(buffer_.data(), buffer_.size());
    if (received <= 0) return received;  // 0: the peer closed; -1: timeout or error
    begin_ = 0;
    end_ = static_cast<std::size_t>(received);
  }
  const std::size_t taken = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, taken);
  begin_ += taken;
  return static_cast<ssize_t>(taken);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) { return ended_ ? -1 : send(ptr, size); }

void ConnectionStream::lookUpEndpoints() const {
  if (looked_up_) return;
  looked_up_ = true;
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    numeric(address, length, remote_ip_, remote_port_);
  }
  length = sizeof(address);
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    numeric(address, length, local_ip_, local_port_);
  }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  lookUpEndpoints();
  ip = remote_ip_;
  port = remote_port_;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  lookUpEndpoints();
  ip = local_ip_;
  port = local_port_;
}

}  // namespace live::http
