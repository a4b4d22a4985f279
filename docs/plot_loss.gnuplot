# SPDX-License-Identifier: MIT
# Plots a loss history written by an example's --loss-csv option (header line, then
# "epoch,loss" or "iteration,loss") as a PNG with a logarithmic loss axis.
#
#   gnuplot -e "csv='spirals_loss.csv'" -e "out='docs/loss_curve.png'" docs/plot_loss.gnuplot
#
# Optional variables: title (the plot title), xlabel (default "epoch").
if (!exists("csv")) csv = "spirals_loss.csv"
if (!exists("out")) out = "loss_curve.png"
if (!exists("title")) title = "training loss"
if (!exists("xlabel")) xlabel = "epoch"

# pngcairo draws anti-aliased lines; fall back to the libgd png terminal without it.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 640,400 font "sans,10"
} else {
  set terminal png size 640,400
}
set output out
set datafile separator ","
set key off
set grid
set logscale y
set format y "10^{%L}"
set title title
set xlabel xlabel
set ylabel "loss (log scale)"
plot csv skip 1 using 1:2 with lines linewidth 2 linecolor rgb "#1f77b4"
set output
