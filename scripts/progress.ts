/** A one-line progress bar on stderr; without a terminal it prints a line every 10%. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  let last = '';
  let lastTenth = -1;
  return (phase: string, done: number, total: number) => {
    const ratio = total === 0 ? 1 : done / total;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      const line = `${phase.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(ratio * 100)
        .toString()
        .padStart(3)}% ${done}/${total}`;
      if (line !== last) stream.write(`\r${line}`);
      if (done >= total) stream.write('\n');
      last = line;
    } else {
      const tenth = Math.floor(ratio * 10);
      if (tenth !== lastTenth || done >= total) stream.write(`${phase}: ${done}/${total}\n`);
      lastTenth = tenth;
    }
  };
}
