// GET /__emulator/metrics: the emulator's counters in Prometheus' text exposition format 0.0.4
// (docs/control-api.md, "Metrics").
#pragma once

#include <string>

#include "domain/emulator.h"

namespace live::http {

std::string prometheusText(domain::Emulator& emulator);

}  // namespace live::http
