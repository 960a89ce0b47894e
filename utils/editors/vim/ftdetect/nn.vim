" nnc neural-modelling language
autocmd BufRead,BufNewFile *.nn setfiletype nn
