// One accepted TCP connection as cpp-httplib's Stream, for HttpServer's own keep-alive loop (see
// http_server.h, "Serving and stopping"). Reads are buffered, so the library's byte-at-a-time
// header parsing costs one recv per 4 KiB rather than one per byte; read and write timeouts are
// the socket's own (SO_RCVTIMEO, SO_SNDTIMEO), so a read or a write costs one system call; the
// endpoints are looked up once per connection, not once per request.
#pragma once

#include <httplib.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>

namespace live::http {

class ConnectionStream final : public httplib::Stream {
 public:
  // Sets the socket's timeouts. Does not own `sock`.
  ConnectionStream(int sock, std::chrono::seconds read_timeout, std::chrono::seconds write_timeout);

  // True when bytes of a next request are already buffered (a pipelined request).
  bool hasBuffered() const { return begin_ < end_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return sock_; }

 private:
  void lookUpEndpoints() const;

  const int sock_;
  const int read_timeout_ms_;
  const int write_timeout_ms_;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  mutable bool looked_up_ = false;
  mutable std::string remote_ip_;
  mutable int remote_port_ = 0;
  mutable std::string local_ip_;
  mutable int local_port_ = 0;
};

}  // namespace live::http
