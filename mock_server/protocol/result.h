// Result<T>: a value or an error message, returned across layers instead of throwing.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace live {

// The error side of a Result: a sentence a developer can act on.
struct Failure {
  std::string message;
};

// Holds either a T or a Failure. Cheap to move; check ok() before value().
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Failure failure) : state_(std::move(failure)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const std::string& error() const { return std::get<Failure>(state_).message; }

 private:
  std::variant<T, Failure> state_;
};

}  // namespace live
