//===- Output.cpp - spikes.csv, summary.json and raster.svg ---------------===//
//
// Every output file is written under a temporary name in the output
// directory and renamed into place only when the whole run succeeded, so a
// failed or interrupted run never leaves a truncated file under a final name.
//
//===----------------------------------------------------------------------===//

#include "SimulationImpl.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <unistd.h>

using namespace nnc::rt::detail;

std::string nnc::rt::detail::joinPath(const std::string &dir,
                                      const std::string &name) {
  if (dir.empty())
    return name;
  if (dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

//===----------------------------------------------------------------------===//
// AtomicFile
//===----------------------------------------------------------------------===//

static std::string ioError(const std::string &path) {
  return "cannot write '" + path + "': " + std::strerror(errno);
}

bool AtomicFile::open(const std::string &finalPath, std::string &error) {
  discard();
  finalPath_ = finalPath;
  // Same directory as the final file, so that rename() cannot cross file
  // systems; hidden and tagged with the pid so that concurrent runs into the
  // same directory do not collide.
  size_t slash = finalPath.rfind('/');
  std::string dir =
      slash == std::string::npos ? "" : finalPath.substr(0, slash + 1);
  std::string base =
      slash == std::string::npos ? finalPath : finalPath.substr(slash + 1);
  tempPath_ = dir + "." + base + "." + std::to_string(getpid()) + ".tmp";
  file_ = std::fopen(tempPath_.c_str(), "wb");
  if (!file_) {
    error = ioError(finalPath_);
    return false;
  }
  pending_ = true;
  return true;
}

bool AtomicFile::write(const char *data, size_t size, std::string &error) {
  if (!file_) {
    errno = EBADF;
    error = ioError(finalPath_);
    return false;
  }
  if (size != 0 && std::fwrite(data, 1, size, file_) != size) {
    error = ioError(finalPath_);
    return false;
  }
  return true;
}

bool AtomicFile::close(std::string &error) {
  if (!file_)
    return true;
  errno = 0;
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) {
    if (errno == 0)
      errno = EIO;
    error = ioError(finalPath_);
  }
  return ok;
}

bool AtomicFile::commit(std::string &error) {
  if (!pending_) {
    errno = EBADF;
    error = ioError(finalPath_);
    return false;
  }
  if (!close(error))
    return false;
  if (std::rename(tempPath_.c_str(), finalPath_.c_str()) != 0) {
    error = ioError(finalPath_);
    return false;
  }
  pending_ = false;
  return true;
}

void AtomicFile::discard() {
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
  }
  if (pending_) {
    std::remove(tempPath_.c_str());
    pending_ = false;
  }
}

//===----------------------------------------------------------------------===//
// SpikeRecorder
//===----------------------------------------------------------------------===//

static constexpr size_t kCsvBufferBytes = 1 << 20;

std::string nnc::rt::detail::formatStepTime(const nnc_sim &sim, int64_t step) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.4f",
                static_cast<double>(step) * sim.dt * 1000.0);
  return text;
}

bool SpikeRecorder::open(const std::string &outDir, std::string &error) {
  if (!csv_.open(joinPath(outDir, "spikes.csv"), error))
    return false;
  buffer_.reserve(kCsvBufferBytes + 4096);
  buffer_ = "population,index,time_ms\n";
  return true;
}

bool SpikeRecorder::flush(std::string &error) {
  bool ok = csv_.write(buffer_, error);
  buffer_.clear();
  return ok;
}

bool SpikeRecorder::close(std::string &error) {
  return flush(error) && csv_.close(error);
}

bool SpikeRecorder::record(const nnc_sim &sim, int32_t pop, int64_t step,
                           const int32_t *indices, int64_t count,
                           std::string &error) {
  // Every spike of a step shares its time: format it once.
  if (step != cachedStep_) {
    cachedTime_ = formatStepTime(sim, step);
    cachedStep_ = step;
  }
  const std::string &name = sim.populations[pop].name;
  for (int64_t i = 0; i < count; ++i) {
    char digits[16];
    char *end = std::to_chars(digits, digits + sizeof(digits), indices[i]).ptr;
    buffer_ += name;
    buffer_ += ',';
    buffer_.append(digits, end);
    buffer_ += ',';
    buffer_ += cachedTime_;
    buffer_ += '\n';
    if (buffer_.size() >= kCsvBufferBytes && !flush(error))
      return false;
  }
  recordedSpikes_ += count;

  if (rasterEndStep_ >= 0)
    return true;
  for (int64_t i = 0; i < count; ++i)
    if (indices[i] % stride_ == 0)
      raster_.push_back({step, pop, indices[i]});
  // Keep every stride-th neuron, doubling the stride whenever the sample
  // outgrows the budget: memory stays bounded and the subset does not depend
  // on anything but the spikes themselves.
  while (raster_.size() > kMaxRasterSpikes) {
    int64_t largest = 0;
    for (const Population &p : sim.populations)
      if (p.recorded)
        largest = std::max(largest, p.size);
    if (stride_ >= largest) {
      // Only neuron 0 of each population is left and it alone exceeds the
      // budget: stop plotting from this step on.
      rasterEndStep_ = step;
      raster_.erase(
          std::remove_if(raster_.begin(), raster_.end(),
                         [&](const RasterSpike &s) { return s.step >= step; }),
          raster_.end());
      break;
    }
    stride_ *= 2;
    int64_t stride = stride_;
    raster_.erase(std::remove_if(raster_.begin(), raster_.end(),
                                 [stride](const RasterSpike &s) {
                                   return s.index % stride != 0;
                                 }),
                  raster_.end());
  }
  return true;
}

//===----------------------------------------------------------------------===//
// TraceRecorder
//===----------------------------------------------------------------------===//

bool TraceRecorder::open(std::string &error) {
  if (!csv_.open(joinPath(outDir_, "traces.csv"), error))
    return false;
  buffer_.reserve(kCsvBufferBytes + 4096);
  buffer_ = "population,index,variable,unit,time_ms,value\n";
  open_ = true;
  return true;
}

bool TraceRecorder::flush(std::string &error) {
  bool ok = csv_.write(buffer_, error);
  buffer_.clear();
  return ok;
}

bool TraceRecorder::close(std::string &error) {
  return flush(error) && csv_.close(error);
}

bool TraceRecorder::sample(const nnc_sim &sim, int64_t step, bool atEnd,
                           std::string &error) {
  if (!open_)
    return true;
  if (step != cachedStep_) {
    cachedTime_ = formatStepTime(sim, step);
    cachedStep_ = step;
  }
  for (const StateMonitor &monitor : sim.monitors) {
    if (atEnd ? monitor.everySteps != 0
              : monitor.everySteps == 0 || step % monitor.everySteps != 0)
      continue;
    // ",<variable>,<unit>,<time>," is shared by all neurons of the sample.
    std::string middle =
        "," + monitor.variable + "," + monitor.unit + "," + cachedTime_ + ",";
    const std::string *name;
    const double *values;
    if (monitor.proj >= 0) {
      const Projection &proj = sim.projections[monitor.proj];
      name = &proj.name;
      values = proj.synState.data() + monitor.row * proj.numSynapses();
    } else {
      const Population &pop = sim.populations[monitor.pop];
      name = &pop.name;
      values = pop.state.get() + monitor.row * pop.size;
    }
    for (int64_t i = monitor.first; i < monitor.last; ++i) {
      // Shortest representation that reads back as the same double.
      char digits[32];
      char *end = std::to_chars(digits, digits + sizeof(digits), i).ptr;
      buffer_ += *name;
      buffer_ += ',';
      buffer_.append(digits, end);
      buffer_ += middle;
      end = std::to_chars(digits, digits + sizeof(digits), values[i]).ptr;
      buffer_.append(digits, end);
      buffer_ += '\n';
      if (buffer_.size() >= kCsvBufferBytes && !flush(error))
        return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// summary.json
//===----------------------------------------------------------------------===//

static std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// JSON has no inf/nan; an undefined quantity (e.g. a rate over zero
/// simulated seconds) is null.
static std::string jsonNumber(double value) {
  if (!std::isfinite(value))
    return "null";
  char text[64];
  std::snprintf(text, sizeof(text), "%.12g", value);
  return text;
}

std::string nnc::rt::detail::renderSummaryJson(const nnc_sim &sim,
                                               const RunOptions &options,
                                               const RunResult &result) {
  double memory = sim.memoryBytes;
  for (const Projection &proj : sim.projections)
    for (const std::vector<int64_t> &slot : proj.ring)
      memory += static_cast<double>(slot.capacity()) * sizeof(int64_t);

  std::string j = "{\n";
  j += "  \"nnc_abi\": " + std::to_string(NNC_ABI_VERSION) + ",\n";
  j += "  \"network\": " + jsonString(result.networkName) + ",\n";
  j += "  \"dt_ms\": " + jsonNumber(result.dt * 1000.0) + ",\n";
  j += "  \"duration_s\": " + jsonNumber(result.simulatedSeconds) + ",\n";
  j += "  \"seed\": " + std::to_string(options.seed) + ",\n";
  j += "  \"threads\": " + std::to_string(options.threads) + ",\n";
  j += "  \"populations\": [";
  for (size_t i = 0; i < result.populations.size(); ++i) {
    const PopulationStats &p = result.populations[i];
    j += i ? ",\n    " : "\n    ";
    j += "{\"name\": " + jsonString(p.name) +
         ", \"size\": " + std::to_string(p.size) +
         ", \"spikes\": " + std::to_string(p.spikeCount) + ", \"rate_hz\": " +
         jsonNumber(result.simulatedSeconds > 0 ? p.meanRateHz : NAN) +
         ", \"recorded\": " +
         (i < sim.populations.size() && sim.populations[i].recorded ? "true"
                                                                    : "false") +
         "}";
  }
  j += result.populations.empty() ? "],\n" : "\n  ],\n";
  j += "  \"traces\": [";
  for (size_t i = 0; i < result.traces.size(); ++i) {
    const TraceStats &t = result.traces[i];
    j += i ? ",\n    " : "\n    ";
    j += "{\"population\": " + jsonString(t.population) +
         ", \"variable\": " + jsonString(t.variable) +
         ", \"unit\": " + jsonString(t.unit) +
         ", \"first\": " + std::to_string(t.first) +
         ", \"last\": " + std::to_string(t.last) +
         ", \"every_steps\": " + std::to_string(t.everySteps) +
         ", \"period_ms\": " + jsonNumber(t.everySteps * result.dt * 1000.0) +
         ", \"samples\": " + std::to_string(t.samples) + "}";
  }
  j += result.traces.empty() ? "],\n" : "\n  ],\n";
  j += "  \"synapses\": " + std::to_string(result.synapseCount) + ",\n";
  j += "  \"memory_bytes\": " + jsonNumber(std::round(memory)) + ",\n";
  j += "  \"timings_s\": {\"parse\": " + jsonNumber(options.parseSeconds) +
       ", \"compile\": " + jsonNumber(options.compileSeconds) +
       ", \"build\": " + jsonNumber(result.buildSeconds) +
       ", \"simulate\": " + jsonNumber(result.simulateSeconds) + "},\n";
  double factor = result.simulateSeconds > 0
                      ? result.simulatedSeconds / result.simulateSeconds
                      : NAN;
  j += "  \"real_time_factor\": " + jsonNumber(factor) + "\n";
  j += "}\n";
  return j;
}

//===----------------------------------------------------------------------===//
// raster.svg
//===----------------------------------------------------------------------===//

static std::string xmlEscape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

static std::string fmt(const char *format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

static std::string withCommas(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

/// 1, 2 or 5 times a power of ten, giving about `target` intervals.
static double niceTickStep(double range, int target) {
  double raw = range / target;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double fraction = raw / magnitude;
  double nice = fraction < 1.5   ? 1.0
                : fraction < 3.5 ? 2.0
                : fraction < 7.5 ? 5.0
                                 : 10.0;
  return nice * magnitude;
}

static const char *ordinalSuffix(int64_t n) {
  if (n % 100 >= 11 && n % 100 <= 13)
    return "th";
  switch (n % 10) {
  case 1:
    return "st";
  case 2:
    return "nd";
  case 3:
    return "rd";
  default:
    return "th";
  }
}

std::string nnc::rt::detail::renderRasterSvg(const nnc_sim &sim,
                                             const SpikeRecorder &recorder) {
  static const char *const palette[] = {
      "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  constexpr double width = 960, height = 560;
  constexpr double left = 130, right = 24, top = 48, bottom = 78;
  constexpr double plotW = width - left - right, plotH = height - top - bottom;
  const int64_t stride = recorder.rasterStride();

  double dtMs = sim.dt * 1000.0;
  double endMs = static_cast<double>(sim.step) * dtMs;
  if (!(endMs > 0))
    endMs = dtMs > 0 ? dtMs : 1.0;

  // Bands of rows, one per recorded population, the first at the top;
  // within a band neuron 0 is at the bottom.
  std::vector<int32_t> recorded;
  std::vector<int64_t> bandOffset(sim.populations.size(), 0);
  int64_t totalRows = 0;
  for (size_t i = 0; i < sim.populations.size(); ++i) {
    if (!sim.populations[i].recorded)
      continue;
    recorded.push_back(static_cast<int32_t>(i));
    bandOffset[i] = totalRows;
    totalRows += (sim.populations[i].size - 1) / stride + 1;
  }
  double rowH = totalRows > 0 ? plotH / totalRows : plotH;

  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" "
         "height=\"560\" viewBox=\"0 0 960 560\" font-family=\"sans-serif\">\n";
  svg += "<rect width=\"960\" height=\"560\" fill=\"white\"/>\n";
  svg += "<text x=\"480\" y=\"28\" font-size=\"17\" text-anchor=\"middle\">"
         "Spike raster: " +
         xmlEscape(sim.networkName) + "</text>\n";

  // Spikes: one path per population, a short vertical tick per spike, on a
  // 0.1 px grid with duplicates removed (dense rasters shrink a lot).
  std::vector<std::vector<uint64_t>> marks(sim.populations.size());
  for (const RasterSpike &s : recorder.rasterSpikes()) {
    const Population &pop = sim.populations[s.population];
    double x = left + (static_cast<double>(s.step) * dtMs / endMs) * plotW;
    int64_t row =
        bandOffset[s.population] + ((pop.size - 1) / stride - s.index / stride);
    double y = top + static_cast<double>(row) * rowH;
    uint64_t qx = static_cast<uint64_t>(std::llround(x * 10));
    uint64_t qy = static_cast<uint64_t>(std::llround(y * 10));
    marks[s.population].push_back(qx << 32 | qy);
  }
  double tick = std::max(rowH, 1.0);
  for (int32_t id : recorded) {
    std::vector<uint64_t> &m = marks[id];
    if (m.empty())
      continue;
    std::sort(m.begin(), m.end());
    m.erase(std::unique(m.begin(), m.end()), m.end());
    svg += "<path stroke=\"" + std::string(palette[id % 10]) +
           "\" stroke-width=\"1.2\" d=\"";
    std::string v = fmt("v%.1f", tick);
    for (uint64_t q : m) {
      char text[48];
      std::snprintf(text, sizeof(text), "M%.1f %.1f", (q >> 32) / 10.0,
                    (q & 0xffffffffu) / 10.0);
      svg += text;
      svg += v;
    }
    svg += "\"/>\n";
  }

  // Frame, band separators and population labels.
  svg += "<rect x=\"" + fmt("%.1f", left) + "\" y=\"" + fmt("%.1f", top) +
         "\" width=\"" + fmt("%.1f", plotW) + "\" height=\"" +
         fmt("%.1f", plotH) + "\" fill=\"none\" stroke=\"black\"/>\n";
  for (size_t b = 0; b < recorded.size(); ++b) {
    const Population &pop = sim.populations[recorded[b]];
    double y0 = top + bandOffset[recorded[b]] * rowH;
    double y1 = y0 + ((pop.size - 1) / stride + 1) * rowH;
    if (b > 0)
      svg += "<line x1=\"" + fmt("%.1f", left) + "\" x2=\"" +
             fmt("%.1f", left + plotW) + "\" y1=\"" + fmt("%.1f", y0) +
             "\" y2=\"" + fmt("%.1f", y0) + "\" stroke=\"#999\"/>\n";
    double mid = (y0 + y1) / 2;
    svg += "<text x=\"" + fmt("%.1f", left - 8) + "\" y=\"" + fmt("%.1f", mid) +
           "\" font-size=\"13\" text-anchor=\"end\" fill=\"" +
           palette[recorded[b] % 10] + "\">" + xmlEscape(pop.name) +
           "</text>\n";
    svg += "<text x=\"" + fmt("%.1f", left - 8) + "\" y=\"" +
           fmt("%.1f", mid + 14) +
           "\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">" +
           withCommas(pop.size) + " neurons</text>\n";
  }

  // Time axis.
  double step = niceTickStep(endMs, 8);
  for (int i = 0;; ++i) {
    double t = i * step;
    if (t > endMs * (1 + 1e-9))
      break;
    double x = left + t / endMs * plotW;
    svg += "<line x1=\"" + fmt("%.1f", x) + "\" x2=\"" + fmt("%.1f", x) +
           "\" y1=\"" + fmt("%.1f", top + plotH) + "\" y2=\"" +
           fmt("%.1f", top + plotH + 5) + "\" stroke=\"black\"/>\n";
    svg += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" +
           fmt("%.1f", top + plotH + 19) +
           "\" font-size=\"11\" text-anchor=\"middle\">" + fmt("%g", t) +
           "</text>\n";
  }
  svg += "<text x=\"" + fmt("%.1f", left + plotW / 2) + "\" y=\"" +
         fmt("%.1f", top + plotH + 38) +
         "\" font-size=\"13\" text-anchor=\"middle\">time (ms)</text>\n";

  // Caption: what is (and is not) shown.
  std::string caption;
  int64_t plotted = static_cast<int64_t>(recorder.rasterSpikes().size());
  if (recorded.empty()) {
    caption = "no populations recorded";
  } else if (stride == 1 && recorder.rasterEndStep() < 0) {
    int64_t neurons = 0;
    for (int32_t id : recorded)
      neurons += sim.populations[id].size;
    caption = withCommas(recorder.recordedSpikes()) + " spikes from " +
              withCommas(neurons) + (neurons == 1 ? " neuron" : " neurons");
  } else {
    caption = "showing " + withCommas(plotted) + " of " +
              withCommas(recorder.recordedSpikes()) + " spikes";
    if (stride > 1)
      caption += ": every " + std::to_string(stride) + ordinalSuffix(stride) +
                 " neuron (0, " + std::to_string(stride) + ", " +
                 std::to_string(2 * stride) + ", ...)";
    if (recorder.rasterEndStep() >= 0)
      caption +=
          ", up to " + fmt("%g", recorder.rasterEndStep() * dtMs) + " ms";
  }
  svg += "<text x=\"" + fmt("%.1f", left + plotW / 2) + "\" y=\"" +
         fmt("%.1f", height - 12) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">" +
         xmlEscape(caption) + "</text>\n";
  svg += "</svg>\n";
  return svg;
}
