//===- Output.cpp - The files a run writes into its output directory ------===//
//
// summary.json, spikes.csv and/or spikes.bin, traces.csv, raster.svg,
// rates.csv and rates.svg. Every output file is written under a temporary
// name in the output directory and renamed into place only when the whole
// run succeeded, so a failed or interrupted run never leaves a truncated
// file under a final name.
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
// Formatting and the plots' common parts
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

static std::string fmtG(double value) { return fmt("%g", value); }

/// The smallest 1, 2 or 5 times a power of ten that is >= `value` (1 for
/// nothing to show): the top of a rate axis.
static double niceCeil(double value) {
  if (!(value > 0) || !std::isfinite(value))
    return 1.0;
  double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= value * (1 - 1e-12))
      return m * magnitude;
  return 10.0 * magnitude;
}

// raster.svg and rates.svg share the page width, the margins around the plot
// area, the time axis and the colours, so that they line up side by side and
// a population has the same colour in both.
static constexpr double kSvgWidth = 960;
static constexpr double kPlotLeft = 130, kPlotRight = 24, kPlotTop = 48,
                        kPlotBottom = 78;
static constexpr double kPlotWidth = kSvgWidth - kPlotLeft - kPlotRight;

static const char *populationColor(int32_t id) {
  static const char *const palette[] = {
      "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return palette[id % 10];
}

/// The end of the plotted time axis: the run's length, or one step.
static double plotEndMs(const nnc_sim &sim) {
  double dtMs = sim.dt * 1000.0;
  double endMs = static_cast<double>(sim.step) * dtMs;
  if (!(endMs > 0))
    endMs = dtMs > 0 ? dtMs : 1.0;
  return endMs;
}

/// A white page `height` pixels high with a centred title.
static std::string svgBegin(double height, const std::string &title) {
  std::string w = fmtG(kSvgWidth), h = fmtG(height);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w +
         "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
         "\" font-family=\"sans-serif\">\n<rect width=\"" + w + "\" height=\"" +
         h + "\" fill=\"white\"/>\n<text x=\"" + fmtG(kSvgWidth / 2) +
         "\" y=\"28\" font-size=\"17\" text-anchor=\"middle\">" +
         xmlEscape(title) + "</text>\n";
}

/// The black outline of a plot area.
static std::string svgFrame(double x, double y, double w, double h) {
  return "<rect x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", y) +
         "\" width=\"" + fmt("%.1f", w) + "\" height=\"" + fmt("%.1f", h) +
         "\" fill=\"none\" stroke=\"black\"/>\n";
}

/// Ticks (1, 2 or 5 x 10^k ms apart) and labels of a time axis from 0 to
/// `endMs` along the bottom edge `axisY` of the plot area.
static std::string svgTimeAxis(double axisY, double endMs) {
  std::string svg;
  double step = niceTickStep(endMs, 8);
  for (int i = 0;; ++i) {
    double t = i * step;
    if (t > endMs * (1 + 1e-9))
      break;
    double x = kPlotLeft + t / endMs * kPlotWidth;
    svg += "<line x1=\"" + fmt("%.1f", x) + "\" x2=\"" + fmt("%.1f", x) +
           "\" y1=\"" + fmt("%.1f", axisY) + "\" y2=\"" +
           fmt("%.1f", axisY + 5) + "\" stroke=\"black\"/>\n";
    svg += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", axisY + 19) +
           "\" font-size=\"11\" text-anchor=\"middle\">" + fmtG(t) +
           "</text>\n";
  }
  svg += "<text x=\"" + fmt("%.1f", kPlotLeft + kPlotWidth / 2) + "\" y=\"" +
         fmt("%.1f", axisY + 38) +
         "\" font-size=\"13\" text-anchor=\"middle\">time (ms)</text>\n";
  return svg;
}

/// The grey line under the time axis that says what is shown, and the end
/// of the document.
static std::string svgEnd(double height, const std::string &caption) {
  return "<text x=\"" + fmt("%.1f", kPlotLeft + kPlotWidth / 2) + "\" y=\"" +
         fmt("%.1f", height - 12) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">" +
         xmlEscape(caption) + "</text>\n</svg>\n";
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

// spikes.bin is little-endian whatever the host: bytes are appended one by
// one rather than memcpy'd.
static void appendLE(std::string &out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

bool SpikeRecorder::open(const std::string &outDir, SpikeFormat format,
                         std::string &error) {
  writeCsv_ = format != SpikeFormat::Binary;
  writeBinary_ = format != SpikeFormat::Csv;
  if (writeCsv_) {
    if (!csv_.open(joinPath(outDir, "spikes.csv"), error))
      return false;
    buffer_.reserve(kCsvBufferBytes + 4096);
    buffer_ = "population,index,time_ms\n";
  }
  if (writeBinary_) {
    if (!bin_.open(joinPath(outDir, "spikes.bin"), error))
      return false;
    binBuffer_.reserve(kCsvBufferBytes + 4096);
  }
  return true;
}

bool SpikeRecorder::begin(const nnc_sim &sim, std::string &error) {
  binIds_.assign(sim.populations.size(), -1);
  if (!writeBinary_)
    return true;
  // Header: magic, population count, dt (float64 seconds), then name
  // (uint32 length + UTF-8 bytes) and size (int64) of each recorded
  // population; blocks refer to them by their index in this list.
  std::string header = "NNCSPK01";
  uint32_t count = 0;
  for (const Population &pop : sim.populations)
    count += pop.recorded;
  appendLE(header, count, 4);
  uint64_t dtBits;
  std::memcpy(&dtBits, &sim.dt, sizeof(dtBits));
  appendLE(header, dtBits, 8);
  int32_t next = 0;
  for (size_t i = 0; i < sim.populations.size(); ++i) {
    const Population &pop = sim.populations[i];
    if (!pop.recorded)
      continue;
    binIds_[i] = next++;
    appendLE(header, pop.name.size(), 4);
    header += pop.name;
    appendLE(header, static_cast<uint64_t>(pop.size), 8);
  }
  binBuffer_.insert(0, header);
  return true;
}

bool SpikeRecorder::flush(std::string &error) {
  bool ok = (!writeCsv_ || csv_.write(buffer_, error)) &&
            (!writeBinary_ || bin_.write(binBuffer_, error));
  buffer_.clear();
  binBuffer_.clear();
  return ok;
}

bool SpikeRecorder::close(std::string &error) {
  return flush(error) && (!writeCsv_ || csv_.close(error)) &&
         (!writeBinary_ || bin_.close(error));
}

bool SpikeRecorder::commit(std::string &error) {
  return (!writeCsv_ || csv_.commit(error)) &&
         (!writeBinary_ || bin_.commit(error));
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
  for (int64_t i = 0; writeCsv_ && i < count; ++i) {
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
  if (writeBinary_ && count > 0) {
    // One block per (step, population): step, id, count, indices.
    if (static_cast<size_t>(pop) >= binIds_.size() || binIds_[pop] < 0) {
      error =
          "population '" + name + "' was recorded after the network was built";
      return false;
    }
    appendLE(binBuffer_, static_cast<uint64_t>(step), 8);
    appendLE(binBuffer_, static_cast<uint32_t>(binIds_[pop]), 4);
    appendLE(binBuffer_, static_cast<uint64_t>(count), 4);
    for (int64_t i = 0; i < count; ++i)
      appendLE(binBuffer_, static_cast<uint32_t>(indices[i]), 4);
    if (binBuffer_.size() >= kCsvBufferBytes && !flush(error))
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
    const double *values = nullptr;
    const SynapseValues *synValues = nullptr;
    const Projection *endpoints = nullptr;
    size_t synBase = 0;
    if (monitor.proj >= 0) {
      const Projection &proj = sim.projections[monitor.proj];
      name = &proj.name;
      if (monitor.row == NNC_SYNAPSE_ROW_SOURCE ||
          monitor.row == NNC_SYNAPSE_ROW_TARGET) {
        endpoints = &proj;
      } else {
        synValues = &proj.synState;
        synBase = static_cast<size_t>(monitor.row * proj.numSynapses());
      }
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
      double value;
      if (endpoints && monitor.row == NNC_SYNAPSE_ROW_TARGET)
        value = endpoints->colIdx[i];
      else if (endpoints) // the source: the CSR row holding synapse i
        value = static_cast<double>(
            std::upper_bound(
                endpoints->rowPtr.data(),
                endpoints->rowPtr.data() + endpoints->rowPtr.size(), i) -
            endpoints->rowPtr.data() - 1);
      else if (synValues)
        value = synValues->get(synBase + static_cast<size_t>(i));
      else
        value = values[i];
      end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
      buffer_.append(digits, end);
      buffer_ += '\n';
      if (buffer_.size() >= kCsvBufferBytes && !flush(error))
        return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// RateRecorder
//===----------------------------------------------------------------------===//

/// `seconds` as a whole number of steps of `dt`, if it is one (up to
/// rounding: 0.3 ms / 0.1 ms is 2.9999999999999996).
static bool wholeSteps(double seconds, double dt, int64_t &steps) {
  double ratio = seconds / dt;
  if (!(ratio >= 0.5) || ratio > 0x1.0p62)
    return false;
  steps = std::llround(ratio);
  return std::fabs(ratio - static_cast<double>(steps)) <= 1e-9 * ratio;
}

bool nnc::rt::detail::chooseRateBinSteps(double dt, const RunOptions &options,
                                         int64_t &steps, std::string &error) {
  if (options.rateBinSeconds > 0) {
    if (wholeSteps(options.rateBinSeconds, dt, steps))
      return true;
    error = "the rate bin width " + fmtG(options.rateBinSeconds * 1000.0) +
            " ms (--rate-bin) is not a whole multiple of the time step " +
            fmtG(dt * 1000.0) + " ms";
    return false;
  }
  // A program's length is only known once it has run: 1 ms bins then.
  bool known = options.durationSeconds >= 0;
  double totalSteps = known ? std::round(options.durationSeconds / dt) : 0;
  for (double decade = 1e-3; decade < 1e12; decade *= 10) {
    for (double mantissa : {1.0, 2.0, 5.0}) {
      if (wholeSteps(mantissa * decade, dt, steps) &&
          (!known || std::ceil(totalSteps / static_cast<double>(steps)) <=
                         static_cast<double>(kMaxPlotBins)))
        return true;
    }
  }
  // No round width is a multiple of dt (e.g. dt = 0.3 ms).
  steps = known ? std::max<int64_t>(
                      1, static_cast<int64_t>(std::ceil(
                             totalSteps / static_cast<double>(kMaxPlotBins))))
                : std::max<int64_t>(1, std::llround(1e-3 / dt));
  return true;
}

bool RateRecorder::open(const std::string &outDir, std::string &error) {
  if (!csv_.open(joinPath(outDir, "rates.csv"), error))
    return false;
  buffer_.reserve(kCsvBufferBytes + 4096);
  buffer_ = "population,t_start_ms,t_end_ms,spikes,rate_hz\n";
  return true;
}

void RateRecorder::begin(const nnc_sim &sim, int64_t binSteps) {
  // Modulators are a single neuron-like value that does not spike.
  pops_.clear();
  for (size_t i = 0; i < sim.populations.size(); ++i)
    if (!sim.populations[i].isModulator)
      pops_.push_back(static_cast<int32_t>(i));
  current_.assign(pops_.size(), 0);
  plot_.assign(pops_.size(), {});
  binSteps_ = std::max<int64_t>(binSteps, 1);
  binStart_ = 0;
  bins_ = 0;
  plotFactor_ = 1;
}

bool RateRecorder::count(const nnc_sim &sim, int64_t k, std::string &error) {
  for (size_t i = 0; i < pops_.size(); ++i)
    current_[i] += sim.populations[pops_[i]].numSpikes;
  if (k + 1 - binStart_ < binSteps_)
    return true;
  return writeBin(sim, binStart_, k + 1, error);
}

bool RateRecorder::close(const nnc_sim &sim, std::string &error) {
  if (sim.step > binStart_ && !writeBin(sim, binStart_, sim.step, error))
    return false;
  bool ok = csv_.write(buffer_, error);
  buffer_.clear();
  return ok && csv_.close(error);
}

bool RateRecorder::writeBin(const nnc_sim &sim, int64_t begin, int64_t end,
                            std::string &error) {
  std::string start = formatStepTime(sim, begin);
  std::string stop = formatStepTime(sim, end);
  double seconds = static_cast<double>(end - begin) * sim.dt;
  size_t plotBin = static_cast<size_t>(bins_ / plotFactor_);
  for (size_t i = 0; i < pops_.size(); ++i) {
    const Population &pop = sim.populations[pops_[i]];
    char digits[32];
    buffer_ += pop.name;
    buffer_ += ',';
    buffer_ += start;
    buffer_ += ',';
    buffer_ += stop;
    buffer_ += ',';
    char *last =
        std::to_chars(digits, digits + sizeof(digits), current_[i]).ptr;
    buffer_.append(digits, last);
    buffer_ += ',';
    // Shortest representation that reads back as the same double.
    double rate = static_cast<double>(current_[i]) /
                  (static_cast<double>(pop.size) * seconds);
    last = std::to_chars(digits, digits + sizeof(digits), rate).ptr;
    buffer_.append(digits, last);
    buffer_ += '\n';
    if (plot_[i].size() <= plotBin)
      plot_[i].resize(plotBin + 1, 0);
    plot_[i][plotBin] += current_[i];
    current_[i] = 0;
  }
  ++bins_;
  binStart_ = end;
  // Merge neighbouring plot bins in pairs once there are too many: the
  // plot's memory stays bounded however long the run.
  if (!plot_.empty() && plot_[0].size() > kMaxPlotBins &&
      bins_ % (2 * plotFactor_) == 0) {
    for (std::vector<int64_t> &counts : plot_) {
      for (size_t j = 0; j < counts.size() / 2; ++j)
        counts[j] = counts[2 * j] + counts[2 * j + 1];
      counts.resize(counts.size() / 2);
    }
    plotFactor_ *= 2;
  }
  if (buffer_.size() >= kCsvBufferBytes) {
    bool ok = csv_.write(buffer_, error);
    buffer_.clear();
    return ok;
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
  // `phase NAME { ... }` blocks as they ran: spikes and mean rates of
  // every population in between.
  j += "  \"phases\": [";
  for (size_t i = 0; i < result.phases.size(); ++i) {
    const PhaseStats &phase = result.phases[i];
    double seconds = phase.endSeconds - phase.startSeconds;
    j += i ? ",\n    " : "\n    ";
    j += "{\"name\": " + jsonString(phase.name) +
         ", \"depth\": " + std::to_string(phase.depth) +
         ", \"start_ms\": " + jsonNumber(phase.startSeconds * 1000.0) +
         ", \"end_ms\": " + jsonNumber(phase.endSeconds * 1000.0) +
         ", \"spikes\": {";
    std::string rates;
    for (size_t p = 0; p < result.populations.size(); ++p) {
      const PopulationStats &pop = result.populations[p];
      int64_t spikes = p < phase.spikes.size() ? phase.spikes[p] : 0;
      j += (p ? ", " : "") + jsonString(pop.name) + ": " +
           std::to_string(spikes);
      rates += (p ? ", " : "") + jsonString(pop.name) + ": " +
               jsonNumber(seconds > 0 && pop.size > 0
                              ? static_cast<double>(spikes) /
                                    (static_cast<double>(pop.size) * seconds)
                              : NAN);
    }
    j += "}, \"rates_hz\": {" + rates + "}}";
  }
  j += result.phases.empty() ? "],\n" : "\n  ],\n";
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
  j += "  \"rate_bin_ms\": " + jsonNumber(result.rateBinSeconds * 1000.0) +
       ",\n";
  j += "  \"outputs\": [";
  std::vector<std::string> outputs =
      outputFileNames(options, !result.traces.empty());
  for (size_t i = 0; i < outputs.size(); ++i)
    j += (i ? ", " : "") + jsonString(outputs[i]);
  j += "],\n";
  j += "  \"synapses\": " + std::to_string(result.synapseCount) + ",\n";
  j += "  \"rewired_synapses\": " + std::to_string(sim.rewiredSynapses) + ",\n";
  j += "  \"non_finite_states\": [";
  for (size_t i = 0; i < result.nonFinite.size(); ++i) {
    const NonFiniteState &n = result.nonFinite[i];
    j += i ? ",\n    " : "\n    ";
    j += "{\"population\": " + jsonString(n.population) +
         ", \"model\": " + jsonString(n.model) +
         ", \"row\": " + std::to_string(n.row) +
         ", \"neuron\": " + std::to_string(n.neuron) + ", \"value\": " +
         jsonString(std::isnan(n.value) ? "nan"
                    : n.value > 0       ? "inf"
                                        : "-inf") +
         ", \"by_s\": " + jsonNumber(n.bySeconds) + "}";
  }
  j += result.nonFinite.empty() ? "],\n" : "\n  ],\n";
  j += "  \"synapse_memory_bytes\": " +
       jsonNumber(std::round(sim.synapseMemoryBytes)) + ",\n";
  j += "  \"bytes_per_synapse\": " +
       jsonNumber(result.synapseCount > 0
                      ? sim.synapseMemoryBytes /
                            static_cast<double>(result.synapseCount)
                      : NAN) +
       ",\n";
  j += "  \"synapses_per_second\": " +
       jsonNumber(result.synapseCount > 0 && result.buildSeconds > 0
                      ? static_cast<double>(result.synapseCount) /
                            result.buildSeconds
                      : NAN) +
       ",\n";
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

std::string nnc::rt::detail::renderRasterSvg(const nnc_sim &sim,
                                             const SpikeRecorder &recorder) {
  constexpr double height = 560;
  constexpr double left = kPlotLeft, top = kPlotTop, plotW = kPlotWidth;
  constexpr double plotH = height - kPlotTop - kPlotBottom;
  const int64_t stride = recorder.rasterStride();

  double dtMs = sim.dt * 1000.0;
  double endMs = plotEndMs(sim);

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

  std::string svg = svgBegin(height, "Spike raster: " + sim.networkName);

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
    svg += "<path stroke=\"" + std::string(populationColor(id)) +
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
  svg += svgFrame(left, top, plotW, plotH);
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
           populationColor(recorded[b]) + "\">" + xmlEscape(pop.name) +
           "</text>\n";
    svg += "<text x=\"" + fmt("%.1f", left - 8) + "\" y=\"" +
           fmt("%.1f", mid + 14) +
           "\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">" +
           withCommas(pop.size) + " neurons</text>\n";
  }

  svg += svgTimeAxis(top + plotH, endMs);

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
  return svg + svgEnd(height, caption);
}

//===----------------------------------------------------------------------===//
// rates.svg
//===----------------------------------------------------------------------===//

std::string nnc::rt::detail::renderRatesSvg(const nnc_sim &sim,
                                            const RateRecorder &rates) {
  const std::vector<int32_t> &pops = rates.populations();
  size_t n = pops.size();
  // Panels get lower as populations are added, down to a readable height.
  double panelH = n <= 2 ? 150 : n <= 4 ? 100 : 64;
  constexpr double gap = 18;
  double plotH = n == 0 ? panelH : n * panelH + (n - 1) * gap;
  double height = kPlotTop + plotH + kPlotBottom;
  double endMs = plotEndMs(sim);
  double dtMs = sim.dt * 1000.0;
  int64_t plotSteps = rates.plotBinSteps();
  auto xOf = [&](int64_t step) {
    return kPlotLeft + static_cast<double>(step) * dtMs / endMs * kPlotWidth;
  };

  std::string svg = svgBegin(height, "Population rates: " + sim.networkName);
  if (n == 0)
    svg += svgFrame(kPlotLeft, kPlotTop, kPlotWidth, plotH);
  for (size_t p = 0; p < n; ++p) {
    const Population &pop = sim.populations[pops[p]];
    const std::vector<int64_t> &counts = rates.plotCounts()[p];
    std::string color = populationColor(pops[p]);
    double y0 = kPlotTop + static_cast<double>(p) * (panelH + gap);
    double y1 = y0 + panelH;

    // The rate of each plot bin; the last one may be shorter.
    std::vector<double> hz(counts.size());
    double peak = 0;
    for (size_t j = 0; j < counts.size(); ++j) {
      int64_t begin = static_cast<int64_t>(j) * plotSteps;
      int64_t end = std::min(begin + plotSteps, sim.step);
      hz[j] = static_cast<double>(counts[j]) /
              (static_cast<double>(pop.size) *
               static_cast<double>(std::max<int64_t>(end - begin, 1)) * sim.dt);
      peak = std::max(peak, hz[j]);
    }
    double yMax = niceCeil(peak);

    svg += "<g class=\"panel\">\n";
    // The rate as a step line, filled down to zero.
    if (!counts.empty()) {
      svg += "<path fill=\"" + color + "\" fill-opacity=\"0.15\" stroke=\"" +
             color + "\" stroke-width=\"1.2\" d=\"M" + fmt("%.1f", xOf(0)) +
             " " + fmt("%.1f", y1);
      for (size_t j = 0; j < counts.size(); ++j) {
        int64_t end =
            std::min(static_cast<int64_t>(j + 1) * plotSteps, sim.step);
        svg += "V" + fmt("%.1f", y1 - hz[j] / yMax * panelH) + "H" +
               fmt("%.1f", xOf(end));
      }
      svg += "V" + fmt("%.1f", y1) + "Z\"/>\n";
    }
    svg += svgFrame(kPlotLeft, y0, kPlotWidth, panelH);
    // Rate axis: 0 and the top of the panel.
    for (double y : {y0, y1})
      svg += "<line x1=\"" + fmt("%.1f", kPlotLeft - 5) + "\" x2=\"" +
             fmt("%.1f", kPlotLeft) + "\" y1=\"" + fmt("%.1f", y) + "\" y2=\"" +
             fmt("%.1f", y) + "\" stroke=\"black\"/>\n";
    svg += "<text x=\"" + fmt("%.1f", kPlotLeft - 8) + "\" y=\"" +
           fmt("%.1f", y0 + 4) + "\" font-size=\"11\" text-anchor=\"end\">" +
           fmtG(yMax) + " Hz</text>\n";
    svg += "<text x=\"" + fmt("%.1f", kPlotLeft - 8) + "\" y=\"" +
           fmt("%.1f", y1 + 4) +
           "\" font-size=\"11\" text-anchor=\"end\">0</text>\n";
    // The population, its size and mean rate, in the panel's corner.
    double meanHz = sim.step > 0 ? static_cast<double>(pop.totalSpikes) /
                                       (static_cast<double>(pop.size) *
                                        static_cast<double>(sim.step) * sim.dt)
                                 : 0.0;
    svg += "<text x=\"" + fmt("%.1f", kPlotLeft + 8) + "\" y=\"" +
           fmt("%.1f", y0 + 17) + "\" font-size=\"13\" fill=\"" + color +
           "\">" + xmlEscape(pop.name) +
           "<tspan dx=\"8\" font-size=\"11\" fill=\"#555\">" +
           withCommas(pop.size) + (pop.size == 1 ? " neuron" : " neurons") +
           ", mean " + fmt("%.2f", meanHz) + " Hz</tspan></text>\n";
    svg += "</g>\n";
  }

  svg += svgTimeAxis(kPlotTop + plotH, endMs);

  std::string caption;
  double binMs = static_cast<double>(rates.binSteps()) * dtMs;
  if (n == 0)
    caption = "no populations";
  else if (plotSteps == rates.binSteps())
    caption = "spikes per neuron and second in " + fmtG(binMs) + " ms bins";
  else
    caption = "spikes per neuron and second in " +
              fmtG(static_cast<double>(plotSteps) * dtMs) +
              " ms bins (rates.csv: " + fmtG(binMs) + " ms bins)";
  return svg + svgEnd(height, caption);
}
