// Test support: a plain TCP connection to 127.0.0.1, for tests that must control the bytes and
// the timing of a connection (idle sockets, half-sent requests).
#pragma once

#include <string>

namespace live::testing {

class RawSocket {
 public:
  explicit RawSocket(int port);  // connects; throws std::runtime_error on failure
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  void send(const std::string& bytes);
  // Reads until the peer closes or `timeout_ms` passes without data; returns what arrived.
  std::string readAll(int timeout_ms);
  // How the last read ended: the peer reset the connection (rather than closing it).
  bool wasReset() const { return reset_; }
  // Closes this side now (the peer sees the close).
  void close();
  // Reads one HTTP response (headers and a Content-Length body); empty if the connection closed
  // or `timeout_ms` passed first.
  std::string readResponse(int timeout_ms);

 private:
  bool readMore(std::string& into, int timeout_ms);
  int fd_ = -1;
  std::string buffered_;
  bool reset_ = false;
};

}  // namespace live::testing
