// ChildProcess over posix_spawn and pipes; poll() bounds every read.
#include "testing/child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

extern char** environ;

namespace live::testing {
namespace {

std::string drain(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t count = 0;
  while ((count = read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, static_cast<std::size_t>(count));
  return text;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
                           const std::vector<std::string>& environment, int stderr_fd) {
  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : argv_storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) env_storage.emplace_back(*entry);
  env_storage.insert(env_storage.end(), environment.begin(), environment.end());
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe() failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd >= 0 ? stderr_fd : err[1], 2);
  for (int fd : {in[1], out[0], err[0]}) posix_spawn_file_actions_addclose(&actions, fd);
  const int spawned = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  stderr_ = err[0];
  if (spawned != 0) throw std::runtime_error("posix_spawn failed for " + program);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (int fd : {stdin_, stdout_, stderr_}) {
    if (fd >= 0) close(fd);
  }
}

void ChildProcess::writeStdin(const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const auto count = write(stdin_, text.data() + written, text.size() - written);
    if (count <= 0) break;
    written += static_cast<std::size_t>(count);
  }
  close(stdin_);
  stdin_ = -1;
}

std::string ChildProcess::readLine(int timeout_ms) {
  for (;;) {
    const auto newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd descriptor{stdout_, POLLIN, 0};
    char buffer[1024];
    if (poll(&descriptor, 1, timeout_ms) <= 0) return std::string();
    const auto count = read(stdout_, buffer, sizeof(buffer));
    if (count <= 0) return std::string();
    stdout_buffer_.append(buffer, static_cast<std::size_t>(count));
  }
}

std::string ChildProcess::readStdout() {
  std::string text = std::move(stdout_buffer_);
  stdout_buffer_.clear();
  return text + drain(stdout_);
}

std::string ChildProcess::readStderr() { return drain(stderr_); }

std::string ChildProcess::readStderrFor(int quiet_ms) {
  std::string text;
  char buffer[65536];
  for (;;) {
    pollfd descriptor{stderr_, POLLIN, 0};
    if (poll(&descriptor, 1, quiet_ms) <= 0) return text;
    const auto count = read(stderr_, buffer, sizeof(buffer));
    if (count <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(count));
  }
}

void ChildProcess::signal(int number) { kill(pid_, number); }

int ChildProcess::wait(int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 5) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    poll(nullptr, 0, 5);
  }
  return -1;
}

}  // namespace live::testing
