// Test support: a program run as a child process with stdin, stdout and stderr on pipes, for tests
// of the command-line programs. Every wait is bounded; the destructor kills what is still running.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace live::testing {

class ChildProcess {
 public:
  // Starts `program` with `arguments`; `environment` entries ("NAME=value") are added to ours.
  // With `stderr_fd` >= 0 the child's stderr is that descriptor (a terminal, say) instead of a pipe
  // of ours, and readStderr() returns nothing.
  ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
               const std::vector<std::string>& environment = {}, int stderr_fd = -1);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Writes to the child's stdin, then closes it.
  void writeStdin(const std::string& text);
  // The next stdout line (without '\n'), waiting at most `timeout_ms`; empty if none came.
  std::string readLine(int timeout_ms);
  // Everything left on stdout / stderr until the child closes them.
  std::string readStdout();
  std::string readStderr();
  // What stderr has now, reading until nothing more arrives for `quiet_ms` (the child may go on).
  std::string readStderrFor(int quiet_ms);
  void signal(int number);
  // The exit status once the child ends (128 + signal if killed), or -1 after `timeout_ms`.
  int wait(int timeout_ms);
  // The child's process id (-1 once it has been waited for).
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::string stdout_buffer_;
};

}  // namespace live::testing
