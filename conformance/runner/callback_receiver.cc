#include "callback_receiver.h"

#include "protocol/callback.h"

namespace live::conformance {

CallbackReceiver::CallbackReceiver(const std::string& bind_host, std::string advertised_host)
    : advertised_host_(std::move(advertised_host)) {
  server_.set_tcp_nodelay(true);
  // A target keeps its connection to us between callbacks; idle for 1 s, it is closed (chosen:
  // stopping the receiver waits for idle connections that long, at most).
  server_.set_keep_alive_max_count(1000);
  server_.set_keep_alive_timeout(1);
  server_.set_payload_max_length(1 << 20);
  server_.Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    Received got{request.method, request.path, {}, request.body};
    // httplib keeps params in a multimap (sorted by name); the order sent is in the target.
    const auto question = request.target.find('?');
    if (question != std::string::npos) {
      httplib::Params ordered;
      const std::string query = request.target.substr(question + 1);
      std::size_t start = 0;
      while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        const std::string pair = query.substr(start, end - start);
        if (!pair.empty()) {
          const auto equals = pair.find('=');
          const std::string name = httplib::detail::decode_url(pair.substr(0, equals), true);
          const std::string value =
              equals == std::string::npos ? "" : httplib::detail::decode_url(pair.substr(equals + 1), true);
          got.query.emplace_back(name, value);
        }
        start = end + 1;
      }
    }
    {
      std::lock_guard lock(mutex_);
      received_.push_back(std::move(got));
    }
    arrived_.notify_all();
    response.set_content(std::string(protocol::kCallbackOkAnswer), "application/json");
  });
  port_ = server_.bind_to_any_port(bind_host);  // listening from here on
  if (port_ <= 0) return;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() only stops a server that is running: wait for the thread to get there, or a run that
  // ends at once (--fail-fast) would wait in the destructor for ever. Bounded: 5 s.
  for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

CallbackReceiver::~CallbackReceiver() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string CallbackReceiver::urlFor(const std::string& case_name) const {
  const bool v6 = advertised_host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + advertised_host_ + "]" : advertised_host_) + ":" + std::to_string(port_) + "/cb/" +
         case_name;
}

std::vector<CallbackReceiver::Received> CallbackReceiver::matching(const std::string& path) const {
  std::vector<Received> found;
  for (const auto& got : received_) {
    if (got.path == path) found.push_back(got);
  }
  return found;
}

std::vector<CallbackReceiver::Received> CallbackReceiver::collect(const std::string& case_name, std::size_t count,
                                                                  std::chrono::milliseconds within,
                                                                  std::chrono::milliseconds quiet) {
  const std::string path = "/cb/" + case_name;
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, within, [&] { return matching(path).size() >= count; });
  // Any more within `quiet` (an extra callback); woken by each arrival, ends at the deadline.
  const auto until = std::chrono::steady_clock::now() + quiet;
  while (arrived_.wait_until(lock, until) != std::cv_status::timeout) {
  }
  return matching(path);
}

}  // namespace live::conformance
