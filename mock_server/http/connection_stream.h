// One accepted connection as cpp-httplib's Stream, for HttpServer's own keep-alive loop (see
// http_server.h, "Serving and stopping"): plain TCP, or TLS over OpenSSL. Reads are buffered, so the
// library's byte-at-a-time header parsing costs one receive per 4 KiB rather than one per byte;
// read and write timeouts are the socket's own (SO_RCVTIMEO, SO_SNDTIMEO); the endpoints are looked
// up once per connection, not once per request.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace live::http {

class ConnectionStream : public httplib::Stream {
 public:
  // Sets the socket's timeouts. Does not own `sock`.
  ConnectionStream(int sock, std::chrono::seconds read_timeout, std::chrono::seconds write_timeout);

  // True when bytes of a next request are already here (a pipelined request, or TLS records
  // OpenSSL has read and not yet handed over): the loop must not wait on the socket for them.
  bool hasBuffered() const { return begin_ < end_ || pendingInTransport(); }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return sock_; }

  // Ends the connection from inside a handler (the fault actions that break an answer): `bytes`
  // are sent as they are, then nothing more is read or written, so the library's own answer is not
  // sent either. With `reset`, the connection is to be closed with a TCP reset.
  void endWith(std::string_view bytes, bool reset);
  bool ended() const { return ended_; }
  // The connection is closed once the current answer is written (an answer the library gave
  // before the request was read whole: its unread bytes must not be parsed as a next request).
  void closeAfterAnswer() { close_after_answer_ = true; }
  bool closesAfterAnswer() const { return close_after_answer_; }
  bool resetOnClose() const { return reset_on_close_; }
  // Waits up to `timeout` for the peer to close its side, or for `stop_fd` to become readable.
  // True when the whole time passed; false when the peer left (or the server is stopping).
  bool holdOpen(std::chrono::milliseconds timeout, int stop_fd) const;

  // The connection whose request this thread is handling, or nullptr.
  static ConnectionStream* current();

  // Makes `stream` this thread's current() for its lifetime.
  class Serving {
   public:
    explicit Serving(ConnectionStream& stream);
    ~Serving();
    Serving(const Serving&) = delete;
    Serving& operator=(const Serving&) = delete;
  };

 protected:
  // Moves bytes of the connection: > 0 bytes, 0 at the peer's close, < 0 on timeout or error.
  virtual ssize_t receive(char* into, std::size_t size);
  virtual ssize_t send(const char* from, std::size_t size);
  virtual bool pendingInTransport() const { return false; }

 private:
  void lookUpEndpoints() const;

  const int sock_;
  const int read_timeout_ms_;
  const int write_timeout_ms_;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool ended_ = false;
  bool close_after_answer_ = false;
  bool reset_on_close_ = false;
  mutable bool looked_up_ = false;
  mutable std::string remote_ip_;
  mutable int remote_port_ = 0;
  mutable std::string local_ip_;
  mutable int local_port_ = 0;
};

// The same over a TLS session that has completed its handshake. Does not own `ssl`.
class TlsConnectionStream final : public ConnectionStream {
 public:
  TlsConnectionStream(SSL* ssl, int sock, std::chrono::seconds read_timeout,
                      std::chrono::seconds write_timeout)
      : ConnectionStream(sock, read_timeout, write_timeout), ssl_(ssl) {}

 protected:
  ssize_t receive(char* into, std::size_t size) override;
  ssize_t send(const char* from, std::size_t size) override;
  bool pendingInTransport() const override { return SSL_pending(ssl_) > 0; }

 private:
  SSL* const ssl_;
};

}  // namespace live::http
