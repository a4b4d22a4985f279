# The comparison plot of docs/benchmarks.md: tutorial us per iteration (log scale) and mlp
# ms per step, per implementation, at each thread count. Made by bench/compare/run.sh:
#   gnuplot -e "datafile='build/compare/plot.dat'; outfile='docs/benchmarks_plot.png'" \
#     bench/compare/plot.gnuplot
# plot.dat: one line per implementation: "name" tutorial_1T tutorial_2T mlp_1T mlp_2T.
if (!exists("datafile")) datafile = 'build/compare/plot.dat'
if (!exists("outfile")) outfile = 'build/compare/benchmarks_plot.png'

set terminal pngcairo size 1100,460 font "sans,10"
set output outfile
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside bottom center horizontal
set xtics nomirror
set multiplot layout 1,2 title "xgrad vs NumPy, PyTorch and the plain C++ floor (medians; lower is better)"

set title "tutorial: 3-4-1 sigmoid net, float64"
set ylabel "us per iteration (log scale)"
set logscale y
set format y "%g"
plot datafile using 2:xtic(1) title "1 thread" lc rgb "#4472c4", \
     '' using 3 title "2 threads" lc rgb "#ed7d31"

unset logscale y
set title "mlp: 784-512-256-10 ReLU, batch 256, float32"
set ylabel "ms per SGD step"
set yrange [0:*]
plot datafile using 4:xtic(1) title "1 thread" lc rgb "#4472c4", \
     '' using 5 title "2 threads" lc rgb "#ed7d31"
unset multiplot
