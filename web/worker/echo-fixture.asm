; A flat multiboot (a.out kludge) kernel for developing the web front end
; before the real kernel boots there: prints a banner and a "$ " prompt on
; COM1, echoes input (CR ends a line and prints a new prompt), writes a
; coloured banner to VGA text memory and counts received bytes on row 2.
; The input loop polls the UART, so the guest always runs flat out.
; Build: nasm -f bin echo-fixture.asm -o echo-fixture.bin (bytes go into echo-fixture.ts)

bits 32
org 0x100000
COM1 equ 0x3F8
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000

header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd header, header, image_end, image_end, start

start:
    mov esp, 0x90000
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 2
    mov al, 0xC7
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x0B
    out dx, al

    ; VGA: clear to blue, banner in yellow on blue on row 0
    mov edi, 0xB8000
    mov ecx, 80 * 25
    mov ax, 0x1F20
    rep stosw
    mov esi, banner
    mov edi, 0xB8000
    mov ah, 0x1E
.vga:
    lodsb
    test al, al
    jz .vga_done
    stosw
    jmp .vga
.vga_done:

    mov esi, banner
    call puts
    mov esi, crlf_prompt
    call puts
    xor ebx, ebx                ; bytes received

next:
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    jz next
    mov dx, COM1
    in al, dx
    inc ebx
    call show_count
    cmp al, 13
    je .enter
    call putc
    jmp next
.enter:
    mov esi, crlf_prompt
    call puts
    jmp next

; show_count: ebx in decimal, white on red, right-aligned at row 2 column 79
show_count:
    pusha
    mov eax, ebx
    mov edi, 0xB8000 + (2 * 80 + 79) * 2
    mov ecx, 10
.digit:
    xor edx, edx
    div ecx
    add dl, '0'
    mov dh, 0x4F
    mov [edi], dx
    sub edi, 2
    test eax, eax
    jnz .digit
    popa
    ret

; puts: esi -> NUL-terminated string
puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

; putc: al -> COM1 when the transmitter holding register is empty
putc:
    push eax
    push edx
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, COM1
    out dx, al
    pop edx
    pop eax
    ret

banner: db "vmalab echo fixture", 0
crlf_prompt: db 13, 10, "$ ", 0
image_end:
