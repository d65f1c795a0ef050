#pragma once
// Where the probe's arrays live and how they are read back (all float32 .npy, C order):
//   <seed>/probe/<phase>.<set>.npy          (S, N, C) every site, reference checkpoints
//   <seed>/probe/v_rev.npy + v_rev.json     (S, C) one direction per site, and how it was made
//   <seed>/probe/readout.npy                (S, C) the readout direction per site (probe/readout.h)
//   <run>/captures/<set>.step-NNN.npy       (N, C) the probe site, fine-tuning step NNN
//   <run>/captures/<set>.means.step-NNN.npy (S, C) every site's mean, step NNN
//   <run>/captures/captures.json            site, position, steps
// Readers check dtype, rank, widths and NaNs and name the file in every error.
#include <string>
#include <vector>

#include "probe/capture.h"

namespace vrev::probe {

// What a world calls the probe's files: its reference phase and the last phase of its history
// (the checkpoints v_rev runs between) and its reversion and benign probe sets.
struct ProbeNames {
  std::string reference_phase, last_phase;  // e.g. pretrain, align
  std::string reversion_set, benign_set; // e.g. harm_probe, benign_probe
};

std::string reference_capture_path(const std::string& probe_dir, const std::string& phase, const std::string& set);
std::string v_rev_path(const std::string& probe_dir);
std::string readout_path(const std::string& probe_dir);  // (S, C), worlds with a decision
std::string step_capture_path(const std::string& run_dir, const std::string& set, int64_t step);
std::string step_means_path(const std::string& run_dir, const std::string& set, int64_t step);
std::string captures_manifest_path(const std::string& run_dir);

void save_capture(const std::string& path, const Capture& capture);   // (S, N, C)
Capture load_capture(const std::string& path);
// A float32 matrix (rows, C) with a known C (-1: any); the error names the file.
std::vector<float> load_matrix(const std::string& path, int& rows, int& C);
void save_matrix(const std::string& path, const float* data, int rows, int C);

}  // namespace vrev::probe
