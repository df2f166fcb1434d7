# Vivado xsim template for uart.
# Run:   vivado -mode batch -source scripts/xsim.tcl   (from any directory)
set root [file normalize [file join [file dirname [info script]] ..]]
proc read_filelist {root fl} {
  set out {}
  set fh [open [file join $root $fl] r]
  foreach line [split [read $fh] "\n"] {
    set line [string trim $line]
    if {$line eq "" || [string match "#*" $line] || [string match "//*" $line]} { continue }
    lappend out [file join $root $line]
  }
  close $fh
  return $out
}
set files [concat [read_filelist $root scripts/filelist_rtl.f] [read_filelist $root scripts/filelist_tb.f]]
file mkdir [file join $root build xsim]
cd [file join $root build xsim]
exec xvlog -sv {*}$files >@stdout 2>@stderr
exec xelab tb_uart -s tb_uart_snap >@stdout 2>@stderr
exec xsim tb_uart_snap -R >@stdout 2>@stderr
